import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CostFacts } from '../cost/facts.ts';
import type { CostResult } from '../cost/probe.ts';
import { checkCostFacts, costBaselinePath, readCostBaseline, writeCostBaseline } from './cost-baseline.ts';

const FACTS: CostFacts = {
  node: 'v20.20.2',
  arch: 'x64',
  valgrind: 'valgrind-3.19.0',
  clock: 'libfaketime 0.9.10-2.1',
  cpuFeatures: ['avx', 'avx2', 'sse4_2'],
  nodeFlags: ['--predictable'],
  workload: 'sse/1',
  bundle: 'esbuild esm, npm packages inlined',
};

const RESULT: CostResult = {
  target: 'sse',
  instructionsPerOp: 32_310,
  runs: [32_312, 32_308, 32_310],
  spread: 4 / 32_310,
  facts: FACTS,
  unit: 'SSE event written to a client',
  sizes: { small: 16_000, large: 32_000 },
  seconds: [16, 20, 16, 20, 16, 20],
};

let dir = '';
const saved = process.env.TIDEMARK_BASELINE_DIR;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tidemark-cost-baseline-'));
  process.env.TIDEMARK_BASELINE_DIR = dir;
});
afterEach(async () => {
  if (saved === undefined) delete process.env.TIDEMARK_BASELINE_DIR;
  else process.env.TIDEMARK_BASELINE_DIR = saved;
  await rm(dir, { recursive: true, force: true });
});

describe('cost baselines', () => {
  it('writes baselines/cost-<target>.json with the runs, the facts and the margin from the spread, and reads it back', async () => {
    const file = await writeCostBaseline(RESULT);
    expect(file).toBe(join(dir, 'cost-sse.json'));
    const read = await readCostBaseline('sse');
    expect(read).toMatchObject({ schema: 'tidemark.cost-baseline/1', target: 'sse', runs: RESULT.runs, facts: FACTS, margin: 0.01 });
    expect(typeof read.loadAverage).toBe('number');
    expect(read.git.sha).toMatch(/^([0-9a-f]{40}|unknown)$/);
  });

  it('a missing baseline names the command that creates it', async () => {
    await expect(readCostBaseline('broker')).rejects.toThrow(/cost-broker\.json is missing; create it with `npm run cost -- broker --write-baseline --repeat 5`/);
  });

  it('a damaged baseline names the field and how to re-create it', async () => {
    await writeFile(costBaselinePath('sse'), JSON.stringify({ schema: 'tidemark.cost-baseline/1', target: 'sse', runs: [], margin: 0.01, facts: FACTS }));
    await expect(readCostBaseline('sse')).rejects.toThrow(/field `runs` must be a non-empty list.*npm run cost -- sse --write-baseline/);
    await writeFile(costBaselinePath('sse'), '{ not json');
    await expect(readCostBaseline('sse')).rejects.toThrow(/not valid JSON/);
  });

  it('refuses a baseline whose facts differ, saying which fact and what to do', async () => {
    await writeCostBaseline(RESULT);
    const baseline = await readCostBaseline('sse');
    expect(() => checkCostFacts(baseline, FACTS)).not.toThrow();
    expect(() => checkCostFacts(baseline, { ...FACTS, node: 'v22.0.0' })).toThrow(
      /does not apply here: node: the baseline has v20.20.2, this machine v22.0.0\. .*re-create the baseline on this machine with `npm run cost -- sse --write-baseline --repeat 5`.*or gate with --against <ref>/,
    );
    expect(() => checkCostFacts(baseline, { ...FACTS, cpuFeatures: ['avx', 'sse4_2'] })).toThrow(/CPU features: this machine lacks avx2/);
    expect(JSON.parse(await readFile(costBaselinePath('sse'), 'utf8')).spread).toBeCloseTo(RESULT.spread);
  });
});
