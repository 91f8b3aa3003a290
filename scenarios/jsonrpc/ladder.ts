/**
 * JSON-RPC ladder: a closed model climbing concurrency steps (default 1, 10, 50, 100, 500 virtual users),
 * each VU calling back to back from the mix. Every sample is tagged `step` (the VU count), so latency and
 * achieved rate per step show where the target saturates. No asked rate: the achieved rate is the result.
 * The p95 budget applies to the steps up to JSONRPC_LADDER_SLO_VUS (10): beyond the knee, latency is
 * queueing by construction.
 * Env: TARGET_URL, JSONRPC_LADDER_STEPS ("1,10,50,100,500"), JSONRPC_MIX and the sustained knobs (JSONRPC_MCP_SESSIONS, JSONRPC_WARMUP_CALLS, TIDEMARK_WARMUP_S),
 * JSONRPC_LADDER_SLO_VUS (10), TIDEMARK_DURATION (25s, split evenly over the steps).
 */
import type { Options } from 'k6/options';
import { envNumber, envString } from '../lib/env.ts';
import { jsonRpcConfig } from '../lib/jsonrpc-config.ts';
import { pick } from '../lib/jsonrpc-mix.ts';
import { closeSharedSessions, openWarmSessions, runOperation, type SharedSessions } from '../lib/jsonrpc-ops.ts';
import { ladderScenarios, parseSteps } from '../lib/jsonrpc-ladder.ts';
import { SUMMARY_TREND_STATS, makeHandleSummary } from '../lib/summary.ts';

const cfg = jsonRpcConfig({ durationS: 25 });
const steps = parseSteps(envString('JSONRPC_LADDER_STEPS', '1,10,50,100,500'));
const sloVus = envNumber('JSONRPC_LADDER_SLO_VUS', 10, { min: 0, integer: true });
const stepS = cfg.durationS / steps.length;

const thresholds: Record<string, string[]> = { tidemark_errors: ['rate<0.01'] };
for (const vus of steps) {
  // Per-step submetrics exist in the summary only when a threshold names them; count>0 also fails an empty step.
  thresholds[`rpc_calls{step:${vus}}`] = ['count>0'];
  thresholds[`rpc_latency{step:${vus}}`] = vus <= sloVus ? [`p(95)<${cfg.toolP95Ms}`] : ['max>=0'];
}

export const options: Options = {
  scenarios: ladderScenarios(steps, stepS),
  thresholds,
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function setup(): SharedSessions {
  return openWarmSessions(cfg);
}

export function teardown(shared: SharedSessions): void {
  closeSharedSessions(shared);
}

export default function (shared: SharedSessions): void {
  runOperation(pick(cfg.mix), cfg, shared);
}

export const handleSummary = makeHandleSummary({
  scenario: 'jsonrpc/ladder',
  target: 'jsonrpc',
  profile: 'ladder',
  latencyMetric: 'rpc_latency',
  unit: 'requests',
  rateMetric: 'rpc_calls',
  expectedMetric: null,
  askedRate: null,
  durationS: stepS * steps.length,
  errorMetric: 'tidemark_errors',
  connections: null,
});
