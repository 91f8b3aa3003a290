/** Real k6 against the real broker target, a few seconds per profile: the outcomes a user relies on. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../reporters/run-result.ts';
import { runScenario } from '../scripts/lib/run-scenario.ts';

let outDir: string;
beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'tidemark-broker-'));
});
afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

const quiet = (): void => {};
/** Generous latency budgets: the tests check accounting, not this shared machine's scheduling jitter. */
const LOOSE = { BROKER_E2E_P99_MS: '2000', BROKER_RESUME_P95_MS: '2000', BROKER_DRAIN_BUDGET_MS: '10000' };

const value = (run: RunResult, metric: string): number => run.metrics[metric]?.value ?? Number.NaN;
const threshold = (run: RunResult, metric: string): boolean | undefined => run.thresholds.find((t) => t.metric === metric)?.ok;

describe('broker scenarios with real k6', () => {
  it('sustained: every confirmed message reaches every subscriber, in order, latencies recorded', async () => {
    const run = await runScenario({ scenario: 'broker/sustained', runId: 'it-sustained', outDir, duration: '4s', k6Vars: { ...LOOSE, BROKER_RATE: '100' }, log: quiet });
    expect(run.invalidReasons).toEqual([]);
    const expected = value(run, 'broker_delivered_expected');
    expect(expected).toBe(4 * 100 * 4 * 2); // topics x rate x seconds x subscribers
    expect(value(run, 'broker_delivered')).toBe(expected);
    expect(value(run, 'broker_published')).toBe(expected / 2);
    for (const m of ['broker_lost', 'broker_duplicates', 'broker_out_of_order', 'broker_unconfirmed', 'broker_publish_errors']) expect(value(run, m)).toBe(0);
    expect(run.metrics.broker_e2e_latency?.count).toBeGreaterThan(2000);
    expect(run.metrics.broker_e2e_latency?.p50).toBeGreaterThan(0);
    expect(run.metrics.broker_publish_confirm?.count).toBeGreaterThan(1000);
    expect(run.metrics.broker_ack_latency?.count).toBeGreaterThan(200); // every 10th ack asks for a receipt
    expect(run.latencyMetric).toBe('broker_e2e_latency');
    expect(run.load).toMatchObject({ unit: 'messages', connections: 12 });
    expect(run.resources?.connectionsPeak).toBe(12);
    expect(run.resources?.cpuMsPerOp).toBeGreaterThan(0);
    expect(run.thresholds.every((t) => t.ok)).toBe(true);
    // One passing k6 check per topic at the end, none per message (scenarios/lib/verdict.ts).
    expect(run.metrics.checks).toMatchObject({ type: 'rate', rate: 1, count: 4 });
  });

  it('TIDEMARK_FAULT_DROP_RATE: the scenario counts exactly the messages the broker dropped (no-ack, no correlation ids)', async () => {
    const run = await runScenario({
      scenario: 'broker/sustained',
      runId: 'it-drop',
      outDir,
      duration: '3s',
      k6Vars: { ...LOOSE, BROKER_RATE: '100', BROKER_ACK: '0', BROKER_CID: '0', BROKER_DRAIN_S: '1' },
      targetEnv: { TIDEMARK_FAULT_DROP_RATE: '0.05' },
      log: quiet,
    });
    const expected = value(run, 'broker_delivered_expected');
    const lost = value(run, 'broker_lost');
    expect(lost).toBeGreaterThan(0);
    expect(lost).toBe(expected - value(run, 'broker_delivered')); // counted per message, not inferred
    expect(lost / expected).toBeGreaterThan(0.01);
    expect(lost / expected).toBeLessThan(0.15);
    expect(value(run, 'broker_duplicates')).toBe(0);
    expect(run.metrics.broker_ack_latency?.count ?? 0).toBe(0);
    expect(threshold(run, 'broker_lost')).toBe(false);
    expect(run.valid).toBe(false); // achieved rate ~5% short of asked
  });

  it('burst: a 10x publish spike is absorbed, the backlog drains and nothing is lost', async () => {
    const run = await runScenario({ scenario: 'broker/burst', runId: 'it-burst', outDir, duration: '6s', k6Vars: { ...LOOSE, BROKER_DRAIN_S: '10' }, log: quiet });
    expect(run.invalidReasons).toEqual([]);
    expect(value(run, 'broker_lost')).toBe(0);
    expect(value(run, 'broker_delivered')).toBe(value(run, 'broker_delivered_expected'));
    expect(run.metrics.broker_backlog_drain?.count).toBe(8); // one per subscriber: 4 topics x 2
    expect(run.metrics.broker_lag?.count).toBeGreaterThan(100);
    const count = (phase: string): number => run.metrics[`broker_e2e_latency{phase:${phase}}`]?.count ?? 0;
    expect(count('recovery')).toBeGreaterThan(0);
    // Shape for 6 s: pre 2 s (1 s of it warm-up) at the base rate, spike phase 3 s (ramps included) at up to 10x.
    expect(count('spike')).toBeGreaterThan(10 * count('pre'));
    expect(run.thresholds.every((t) => t.ok)).toBe(true);
  });

  it('churn: durable subscribers reconnect and resume without loss; skipped acks come back as counted duplicates', async () => {
    const run = await runScenario({
      scenario: 'broker/churn',
      runId: 'it-churn',
      outDir,
      duration: '4s',
      k6Vars: { ...LOOSE, BROKER_CHURN_HOLD_MS: '300', BROKER_ACK_SKIP_EVERY: '25', BROKER_ACK_TIMEOUT_MS: '200' },
      log: quiet,
    });
    expect(run.invalidReasons).toEqual([]);
    expect(value(run, 'broker_lost')).toBe(0);
    expect(value(run, 'broker_delivered')).toBe(value(run, 'broker_delivered_expected'));
    expect(run.metrics.broker_resume_time?.count).toBeGreaterThan(10);
    expect(run.metrics.broker_resume_backlog?.count).toBe(run.metrics.broker_resume_time?.count);
    // Every 25th message was left unacked, so the broker redelivered it (after 200 ms, or on the next resume) to a
    // subscriber that already had it. Those skipped in the last moments may not come back before the run ends.
    expect(value(run, 'broker_duplicates')).toBeGreaterThan(value(run, 'broker_delivered') / 25 / 4);
    expect(value(run, 'broker_redelivered')).toBeGreaterThanOrEqual(value(run, 'broker_duplicates'));
    expect(run.latencyMetric).toBe('broker_resume_time');
    expect(run.thresholds.every((t) => t.ok)).toBe(true);
  });
});
