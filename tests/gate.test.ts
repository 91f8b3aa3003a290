/**
 * The gate end to end with real k6 and the real SSE target: a baseline from 5 runs (the `npm run baseline` default), then an unchanged build
 * passes (exit 0), a large injected latency regression fails naming the metric (exit 1), and a run with
 * errors over budget is invalid (exit 2). Short runs keep it under two minutes.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../scripts/lib/run-scenario.ts';
import { baselineFromRuns, writeBaseline } from '../scripts/lib/gate/baseline-file.ts';
import { runGate } from '../scripts/lib/gate/run-gate.ts';
import type { RunResult } from '../reporters/run-result.ts';

const saved = { ...process.env };
let dir: string;
const quiet = (): void => {};
const gate = (runId: string, targetEnv: Record<string, string> = {}) =>
  runGate({ only: 'sse/sustained', repeat: 3, alpha: 0.01, allowMachineMismatch: false, runId, targetEnv, cost: 'skip', log: quiet });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tidemark-gate-'));
  process.env.TIDEMARK_BASELINE_DIR = dir;
  // k6 passes the harness's environment to the script: a small, quick load.
  process.env.SSE_CONNECTIONS = '10';
  process.env.TIDEMARK_DURATION = '3s';
  const runs: RunResult[] = [];
  // Five baseline runs, as `npm run baseline` takes by default: with three, Welch's test has about 2 degrees of freedom when the
  // baseline's p50 is noisy (0.25-0.6 ms on a loaded machine), and even a 40x slower p50 can miss Holm's bar.
  for (let i = 1; i <= 5; i++) {
    runs.push(await runScenario({ scenario: 'sse/sustained', runId: 'it-gate-base', outDir: join(dir, 'base'), repeat: i, log: quiet }));
  }
  await writeBaseline(baselineFromRuns(runs, null));
}, 120_000);

afterAll(async () => {
  process.env = saved;
  await rm(dir, { recursive: true, force: true });
});

describe('gate against a baseline', () => {
  it('passes an unchanged build (exit 0) and writes report.md and report.json', async () => {
    const report = await gate(`it-gate-pass-${process.pid}`);
    expect(report.scenarios[0]?.invalid).toEqual([]);
    expect(report.scenarios[0]?.metrics.filter((m) => m.verdict === 'regression')).toEqual([]);
    expect(report.exitCode).toBe(0);
    const md = await readFile(`results/${report.runId}/report.md`, 'utf8');
    // Three 3-second runs cannot put p50 and p95 inside ±3% on a shared machine: such a figure is undecided
    // (exit 0, listed), no longer `ok`, so the scenario may read undecided as well as pass.
    expect(md).toMatch(/## (✅ sse\/sustained: pass|❔ sse\/sustained: undecided)/);
    // Every line that was tested carries its minimum detectable effect.
    expect(report.scenarios[0]?.metrics.filter((m) => m.change !== null && m.mde === null)).toEqual([]);
    const json = JSON.parse(await readFile(`results/${report.runId}/report.json`, 'utf8')) as { exitCode: number };
    expect(json.exitCode).toBe(0);
    await rm(`results/${report.runId}`, { recursive: true, force: true });
  }, 120_000);

  it('fails a large injected latency regression (exit 1), naming the metric and the scenario', async () => {
    const report = await gate(`it-gate-fail-${process.pid}`, { TIDEMARK_FAULT_DELAY_MS: '15' });
    expect(report.exitCode).toBe(1);
    const regressions = report.scenarios.flatMap((s) => s.metrics.filter((m) => m.verdict === 'regression'));
    const rows = JSON.stringify(report.scenarios[0]?.metrics.filter((m) => m.metric.startsWith('latency')));
    expect(regressions.map((m) => `${m.scenario} ${m.metric}`), rows).toContain('sse/sustained latency_p50');
    await rm(`results/${report.runId}`, { recursive: true, force: true });
  }, 120_000);

  it('calls a run with errors over budget invalid (exit 2), never a pass', async () => {
    const report = await gate(`it-gate-invalid-${process.pid}`, { TIDEMARK_FAULT_ERROR_RATE: '0.5' });
    expect(report.exitCode).toBe(2);
    expect(report.scenarios[0]?.verdict).toBe('invalid');
    expect(report.scenarios[0]?.invalid.join(' ')).toMatch(/errors .* over the 1\.00% budget/);
    await rm(`results/${report.runId}`, { recursive: true, force: true });
  }, 120_000);
});
