/** Real k6 against the real JSON-RPC/MCP target, a few seconds per profile: the outcomes a user relies on. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../reporters/run-result.ts';
import { runScenario } from '../scripts/lib/run-scenario.ts';

let outDir: string;
beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'tidemark-jsonrpc-'));
});
afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

const quiet = (): void => {};
/** Fewer unmeasured warm-up calls than the default 500: keeps each run short. */
const WARMUP = { JSONRPC_WARMUP_CALLS: '150' };
const count = (run: RunResult, metric: string): number => run.metrics[metric]?.count ?? 0;

describe('JSON-RPC scenarios with real k6', () => {
  it('sustained: the asked rate is answered, latency per method, cache hits, progress, no errors', async () => {
    const run = await runScenario({ scenario: 'jsonrpc/sustained', runId: 'it-sustained', outDir, duration: '4s', k6Vars: { ...WARMUP, JSONRPC_RATE: '100' }, log: quiet });
    expect(run.invalidReasons).toEqual([]);
    expect(run.metrics.rpc_calls?.value).toBeGreaterThanOrEqual(390);
    expect(run.load.achievedRate! / run.load.askedRate!).toBeGreaterThan(0.98);
    for (const method of ['echo', 'compute', 'sleep', 'tools/call']) {
      expect(count(run, `rpc_latency{method:${method}}`), method).toBeGreaterThan(10);
    }
    // sleep calls take at least their 5 ms; echo does not.
    expect(run.metrics['rpc_latency{method:sleep}']?.p50).toBeGreaterThanOrEqual(5);
    expect(run.metrics['rpc_latency{method:echo}']?.p50).toBeLessThan(5);
    expect(run.metrics.rpc_cache_hits?.rate).toBeGreaterThan(0.3); // 50 keys, ~180 cacheable calls
    expect(run.metrics.mcp_progress?.value).toBeGreaterThan(0);
    expect(run.metrics.mcp_progress_gaps?.value).toBe(0);
    expect(run.errorRate).toBe(0);
    expect(run.resources?.cpuMsPerOp).toBeGreaterThan(0);
    expect(run.thresholds.find((t) => t.metric === 'tidemark_errors')?.ok).toBe(true);
    // A k6 check per call (scenarios/lib/verdict.ts), all passing.
    expect(run.metrics.checks).toMatchObject({ type: 'rate', rate: 1 });
    expect(run.metrics.checks?.count).toBeGreaterThanOrEqual(run.metrics.rpc_calls?.value ?? Infinity);
  });

  it('burst: 10x the calls within seconds, every phase tagged and answered', async () => {
    const run = await runScenario({ scenario: 'jsonrpc/burst', runId: 'it-burst', outDir, duration: '6s', k6Vars: { ...WARMUP, JSONRPC_RATE: '20' }, log: quiet });
    expect(run.invalidReasons).toEqual([]);
    for (const phase of ['pre', 'spike', 'recovery']) expect(count(run, `rpc_latency{phase:${phase}}`), phase).toBeGreaterThan(0);
    // The spike phase (1 s at 200/s plus ramps) carries several times the calls of the 2 s steady phases.
    expect(count(run, 'rpc_latency{phase:spike}')).toBeGreaterThan(2 * count(run, 'rpc_latency{phase:pre}'));
    expect(run.metrics.rpc_calls?.value).toBe(run.metrics.rpc_calls_expected?.value);
    expect(run.errorRate).toBe(0);
  });

  it('churn: sessions opened, used and deleted on new connections, none left behind', async () => {
    const run = await runScenario({ scenario: 'jsonrpc/churn', runId: 'it-churn', outDir, duration: '3s', log: quiet });
    expect(run.invalidReasons).toEqual([]);
    expect(run.metrics.mcp_sessions?.value).toBeGreaterThanOrEqual(29);
    expect(run.metrics.mcp_session_time?.count).toBeGreaterThanOrEqual(29);
    // Latency of the first second (TIDEMARK_WARMUP_S) is left out: 2 s x 10 calls remain.
    expect(count(run, 'rpc_latency{method:tools/call}')).toBeGreaterThanOrEqual(19);
    expect(run.metrics.mcp_session_setup?.p95).toBeGreaterThan(0);
    expect(run.metrics.mcp_session_delete?.count).toBeGreaterThanOrEqual(29);
    expect(run.metrics.mcp_sessions_left?.value).toBe(0);
    expect(run.metrics.rpc_cache_hits?.rate).toBeGreaterThan(0);
    expect(run.errorRate).toBe(0);
  });

  it('ladder: every concurrency step measured; more VUs answer as many calls or more, each waiting longer', async () => {
    const run = await runScenario({ scenario: 'jsonrpc/ladder', runId: 'it-ladder', outDir, duration: '4s', k6Vars: { ...WARMUP, TIDEMARK_WARMUP_S: '0', JSONRPC_LADDER_STEPS: '1,8', JSONRPC_MIX: 'echo=3,tools/call=1,mcp=1' }, log: quiet });
    expect(run.invalidReasons).toEqual([]);
    const one = run.metrics['rpc_calls{step:1}']?.value ?? 0;
    const eight = run.metrics['rpc_calls{step:8}']?.value ?? 0;
    expect(one).toBeGreaterThan(50);
    // Little's law on 2 shared cores: 8 VUs cannot get 8x the rate of 1, so each call waits longer. The rate
    // itself rises only while a core is spare: with both cores busy elsewhere it plateaus (1,206 calls at 8 VUs
    // against 1,215 at 1 in a CI trial beside two valgrind runs), so it is held to not falling, within 10%.
    expect(eight).toBeGreaterThan(one * 0.9);
    expect(run.metrics['rpc_latency{step:8}']?.p50).toBeGreaterThan(run.metrics['rpc_latency{step:1}']?.p50 ?? Infinity);
    expect(count(run, 'rpc_latency{step:8}')).toBe(eight); // no warm-up exclusion here: a sample per call
    expect(run.errorRate).toBe(0);
  });

  it('faults: TIDEMARK_FAULT_ERROR_RATE shows up as failures, DROP_RATE as progress gaps', async () => {
    const run = await runScenario({
      scenario: 'jsonrpc/sustained',
      runId: 'it-faults',
      outDir,
      duration: '3s',
      k6Vars: { ...WARMUP, JSONRPC_RATE: '100' },
      targetEnv: { TIDEMARK_FAULT_ERROR_RATE: '0.1', TIDEMARK_FAULT_DROP_RATE: '0.3' },
      log: quiet,
    });
    // About 10% of the calls answered with -32000; a loose band that still fails when errors are miscounted.
    expect(run.errorRate).toBeGreaterThan(0.04);
    expect(run.errorRate).toBeLessThan(0.2);
    expect(run.thresholds.find((t) => t.metric === 'tidemark_errors')?.ok).toBe(false);
    expect(run.invalidReasons.join(' ')).toContain('over the 1.00% budget');
    expect(run.metrics.mcp_progress_gaps?.value).toBeGreaterThan(0);
  });
});
