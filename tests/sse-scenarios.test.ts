/** Real k6 against the real SSE target, a few seconds per profile: the outcomes a user relies on. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../scripts/lib/run-scenario.ts';

let outDir: string;
beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'tidemark-sse-'));
});
afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

const quiet = (): void => {};

describe('SSE scenarios with real k6', () => {
  it('sustained: events delivered at the asked rate, latency recorded, no gaps', async () => {
    const run = await runScenario({ scenario: 'sse/sustained', runId: 'it-sustained', outDir, duration: '4s', k6Vars: { SSE_CONNECTIONS: '10' }, log: quiet });
    expect(run.invalidReasons).toEqual([]);
    expect(run.metrics.sse_events?.value).toBeGreaterThan(500);
    expect(run.metrics.sse_delivery_latency?.count).toBeGreaterThan(500);
    expect(run.metrics.sse_delivery_latency?.p95).toBeGreaterThan(0);
    expect(run.metrics.sse_gaps?.value).toBe(0);
    expect(run.load.achievedRate! / run.load.askedRate!).toBeGreaterThan(0.98);
    expect(run.resources?.cpuMsPerOp).toBeGreaterThan(0);
    expect(run.resources?.connectionsPeak).toBe(10);
    expect(run.thresholds.every((t) => t.ok)).toBe(true);
    // One k6 check per stream (scenarios/lib/verdict.ts), all passing.
    expect(run.metrics.checks).toMatchObject({ type: 'rate', rate: 1 });
    expect(run.metrics.checks?.count).toBeGreaterThanOrEqual(10);
  });

  it('sustained with TIDEMARK_FAULT_DROP_RATE: the gap detector counts the dropped events', async () => {
    const run = await runScenario({
      scenario: 'sse/sustained',
      runId: 'it-drop',
      outDir,
      duration: '3s',
      k6Vars: { SSE_CONNECTIONS: '5' },
      targetEnv: { TIDEMARK_FAULT_DROP_RATE: '0.05' },
      log: quiet,
    });
    const sent = run.metrics.sse_events?.value ?? 0;
    const gaps = run.metrics.sse_gaps?.value ?? 0;
    expect(gaps).toBeGreaterThan(0);
    // About 5% of what was asked; a loose band that still fails when the detector miscounts.
    expect(gaps / (sent + gaps)).toBeGreaterThan(0.01);
    expect(gaps / (sent + gaps)).toBeLessThan(0.15);
    expect(run.thresholds.find((t) => t.metric === 'sse_gaps')?.ok).toBe(false);
  });

  it('burst: 10x more stream opens within seconds, phases tagged, streams served', async () => {
    const run = await runScenario({ scenario: 'sse/burst', runId: 'it-burst', outDir, duration: '8s', k6Vars: { SSE_CONNECTIONS: '5', SSE_HOLD_S: '1' }, log: quiet });
    expect(run.invalidReasons).toEqual([]);
    expect(run.metrics['sse_connect_time{phase:spike}']?.count).toBeGreaterThan(run.metrics['sse_delivery_latency{phase:pre}'] ? 0 : -1);
    expect(run.metrics['sse_delivery_latency{phase:recovery}']?.count).toBeGreaterThan(0);
    expect(run.resources?.connectionsPeak).toBeGreaterThanOrEqual(20);
    expect(run.metrics.sse_gaps?.value).toBe(0);
  });

  it('churn: streams resume with Last-Event-ID with no gap and reconnect quickly', async () => {
    const run = await runScenario({ scenario: 'sse/churn', runId: 'it-churn', outDir, duration: '4s', log: quiet });
    expect(run.invalidReasons).toEqual([]);
    expect(run.metrics.iterations?.value).toBeGreaterThan(40);
    expect(run.metrics.sse_reconnect_time?.count).toBeGreaterThan(20);
    expect(run.metrics.sse_reconnect_time?.avg).toBeLessThan(500);
    expect(run.metrics.sse_gaps?.value).toBe(0);
    expect(run.metrics.sse_duplicates?.value ?? 0).toBe(0);
  });
});
