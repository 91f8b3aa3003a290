/** The gate refuses what it cannot compare, before running anything, and says what to do. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baselineFromRuns, writeBaseline } from '../scripts/lib/gate/baseline-file.ts';
import { fakeRun } from '../scripts/lib/gate/fake-run.ts';
import { runGate } from '../scripts/lib/gate/run-gate.ts';

let dir: string;
const saved = { ...process.env };
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tidemark-refuse-'));
  process.env.TIDEMARK_BASELINE_DIR = dir;
  const baseline = baselineFromRuns([fakeRun({ p95: 2 }), fakeRun({ p95: 2 })], null);
  await writeBaseline({ ...baseline, machine: { class: '64cpu-arm64-elsewhere', cpus: 64, model: 'Elsewhere' } });
});
afterAll(async () => {
  process.env = saved;
  await rm(dir, { recursive: true, force: true });
});

describe('gate refusals', () => {
  it('refuses a baseline from another machine class (exit 2) and names the ways forward', async () => {
    const report = await runGate({ only: 'sse/sustained', repeat: 1, alpha: 0.01, allowMachineMismatch: false, runId: `it-refuse-${process.pid}`, cost: 'skip', log: () => {} });
    expect(report.exitCode).toBe(2);
    expect(report.errors[0]?.error).toMatch(/machine class 64cpu-arm64-elsewhere, this is .*npm run baseline.*--against.*--allow-machine-mismatch/);
    expect(report.scenarios).toEqual([]);
    await rm(`results/${report.runId}`, { recursive: true, force: true });
  });

  it('names a missing baseline for a scenario asked for with --only', async () => {
    await expect(runGate({ only: 'sse/churn', repeat: 1, alpha: 0.01, allowMachineMismatch: false, cost: 'skip', log: () => {} })).rejects.toThrow(/no baseline for sse\/churn; create with `npm run baseline -- --only 'sse\/churn'`/);
  });
});
