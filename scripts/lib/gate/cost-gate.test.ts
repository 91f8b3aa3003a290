/**
 * The gate's cost entries in baseline mode, where they are refused before any valgrind run: a missing cost
 * baseline and one counted with other facts become errors of `<target>/cost` (the gate then exits 2).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CostResult } from '../cost/probe.ts';
import { writeCostBaseline } from './cost-baseline.ts';
import { probeFacts } from '../cost/probe.ts';
import { COST_METRIC, committedMargin, costScenario, probeCostForGate } from './cost-gate.ts';

let dir = '';
const saved = process.env.TIDEMARK_BASELINE_DIR;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tidemark-cost-gate-'));
  process.env.TIDEMARK_BASELINE_DIR = dir;
});
afterEach(async () => {
  if (saved === undefined) delete process.env.TIDEMARK_BASELINE_DIR;
  else process.env.TIDEMARK_BASELINE_DIR = saved;
  await rm(dir, { recursive: true, force: true });
});

describe('cost entries of the gate, baseline mode', () => {
  it('names the figure and its entry', () => {
    expect(COST_METRIC).toBe('instructions_per_op');
    expect(costScenario('broker')).toBe('broker/cost');
  });

  it('a missing cost baseline is an error of <target>/cost naming the command that creates it', async () => {
    const { inputs, errors } = await probeCostForGate({ targets: ['sse'], log: () => {} });
    expect(inputs).toEqual([]);
    expect(errors).toEqual([{ scenario: 'sse/cost', error: expect.stringMatching(/no cost baseline for sse: .*cost-sse\.json is missing; create it with `npm run cost -- sse --write-baseline --repeat 5`/) }]);
  });

  it('a baseline counted with other facts is refused before any valgrind run, naming the fact', async () => {
    const result: CostResult = {
      target: 'price-engine',
      instructionsPerOp: 88_000,
      runs: [88_000, 88_010],
      spread: 0.0001,
      facts: { node: 'v18.0.0', arch: process.arch, valgrind: 'valgrind-3.19.0', clock: 'libfaketime 0.9.10-2.1', cpuFeatures: [], nodeFlags: [], workload: 'price-engine/1', bundle: 'esbuild esm, npm packages inlined' },
      unit: 'tick processed',
      sizes: { small: 4000, large: 8000 },
      seconds: [],
    };
    await writeCostBaseline(result);
    const lines: string[] = [];
    const started = Date.now();
    const { inputs, errors } = await probeCostForGate({ targets: ['price-engine'], log: (l) => lines.push(l) });
    expect(inputs).toEqual([]);
    expect(errors[0]?.scenario).toBe('price-engine/cost');
    expect(errors[0]?.error).toMatch(/does not apply here: node: the baseline has v18\.0\.0, this machine v\d+/);
    expect(errors[0]?.error).toMatch(/or gate with --against <ref>/);
    expect(lines.some((l) => /cost run/.test(l))).toBe(false);
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);
});

describe('the committed margin a paired gate starts from', () => {
  const result = async (facts: CostResult['facts']): Promise<CostResult> => ({
    target: 'sse',
    instructionsPerOp: 32_500,
    // Two levels 1.9% apart, as jsonrpc shows: the margin from these figures is 1.25 × 1.9%.
    runs: [32_500, 32_501, 32_502, 33_120],
    spread: 0.019,
    facts,
    unit: 'event written',
    sizes: { small: 16000, large: 32000 },
    seconds: [],
  });

  it("is the baseline's margin when its facts match this machine", async () => {
    await writeCostBaseline(await result(await probeFacts('sse')));
    expect(await committedMargin('sse')).toBeCloseTo(1.25 * (620 / 32_501.5), 4);
  }, 30_000);

  it('is none without a baseline, or when the baseline was counted with other facts', async () => {
    expect(await committedMargin('sse')).toBeNull();
    await writeCostBaseline(await result({ ...(await probeFacts('sse')), node: 'v18.0.0' }));
    expect(await committedMargin('sse')).toBeNull();
  }, 30_000);
});
