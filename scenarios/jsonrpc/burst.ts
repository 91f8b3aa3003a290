/**
 * JSON-RPC burst: calls arrive at a steady rate, jump 10x within seconds, hold, and drop back (open model),
 * drawn from the same mix as sustained. Every sample is tagged `phase` (pre, spike, recovery), so per-phase
 * latency shows whether the target recovers after the spike.
 * Env: TARGET_URL, JSONRPC_RATE (steady calls/s, 30), JSONRPC_MIX and the other sustained knobs (JSONRPC_MCP_SESSIONS, JSONRPC_WARMUP_CALLS, TIDEMARK_WARMUP_S), JSONRPC_VUS,
 * TIDEMARK_DURATION (20s).
 */
import type { Options } from 'k6/options';
import { envNumber } from '../lib/env.ts';
import { jsonRpcConfig, jsonRpcThresholds } from '../lib/jsonrpc-config.ts';
import { rpcCallsExpected } from '../lib/jsonrpc-metrics.ts';
import { pick } from '../lib/jsonrpc-mix.ts';
import { closeSharedSessions, openWarmSessions, runOperation, type SharedSessions } from '../lib/jsonrpc-ops.ts';
import { burstShape, burstStages, currentPhase } from '../lib/phases.ts';
import { SUMMARY_TREND_STATS, makeHandleSummary } from '../lib/summary.ts';

const cfg = jsonRpcConfig({ rate: 30, durationS: 20 });
const shape = burstShape(cfg.durationS);
// VUs for 250 ms of calls in flight at the peak.
const vus = envNumber('JSONRPC_VUS', Math.ceil(cfg.rate * 10 * 0.25) + 10, { min: 1, max: 10_000, integer: true });

export const options: Options = {
  scenarios: {
    burst: {
      executor: 'ramping-arrival-rate',
      startRate: cfg.rate,
      timeUnit: '1s',
      stages: burstStages(shape, cfg.rate),
      preAllocatedVUs: vus,
      maxVUs: vus,
      gracefulStop: '10s',
    },
  },
  thresholds: {
    // Per method after the spike (did every method recover?); the spike itself may queue.
    ...jsonRpcThresholds(cfg, ',phase:recovery'),
    'rpc_latency{phase:pre}': [`p(95)<${cfg.toolP95Ms}`],
    'rpc_latency{phase:recovery}': [`p(95)<${cfg.toolP95Ms}`],
    'rpc_latency{phase:spike}': ['p(95)<1000'],
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function setup(): SharedSessions {
  return openWarmSessions(cfg);
}

export function teardown(shared: SharedSessions): void {
  closeSharedSessions(shared);
}

export default function (shared: SharedSessions): void {
  const tags = { phase: currentPhase(shape) };
  rpcCallsExpected.add(1, tags);
  runOperation(pick(cfg.mix), cfg, shared, tags);
}

export const handleSummary = makeHandleSummary({
  scenario: 'jsonrpc/burst',
  target: 'jsonrpc',
  profile: 'burst',
  latencyMetric: 'rpc_latency',
  unit: 'requests',
  rateMetric: 'rpc_calls',
  expectedMetric: 'rpc_calls_expected',
  askedRate: null,
  durationS: shape.preS + 2 * shape.rampS + shape.spikeS + shape.recoveryS,
  errorMetric: 'tidemark_errors',
  connections: null,
});
