/**
 * JSON-RPC sustained: calls arrive at a constant rate (open model), each drawn from a weighted mix of
 * methods on /rpc and MCP tool calls over sessions opened in setup and shared by the VUs. Measures per-method latency (`rpc_latency`
 * tagged `method` and `api`), calls answered against calls asked, the cache hit ratio and errors
 * (a JSON-RPC `error` body is an error).
 * Env: TARGET_URL, JSONRPC_RATE (200/s), JSONRPC_MIX, JSONRPC_COMPUTE_ITERATIONS, JSONRPC_SLEEP_MS, JSONRPC_CACHE_KEYS,
 * JSONRPC_PROGRESS_STEPS, JSONRPC_TOOL_P95_MS, JSONRPC_MCP_SESSIONS (8, opened in setup), JSONRPC_WARMUP_CALLS (500, unmeasured, in setup), TIDEMARK_WARMUP_S (1), JSONRPC_VUS, TIDEMARK_DURATION (15s).
 */
import type { Options } from 'k6/options';
import { envNumber } from '../lib/env.ts';
import { jsonRpcConfig, jsonRpcThresholds } from '../lib/jsonrpc-config.ts';
import { pick } from '../lib/jsonrpc-mix.ts';
import { closeSharedSessions, openWarmSessions, runOperation, type SharedSessions } from '../lib/jsonrpc-ops.ts';
import { SUMMARY_TREND_STATS, makeHandleSummary } from '../lib/summary.ts';

const cfg = jsonRpcConfig({ rate: 200, durationS: 15 });
// Enough VUs for 500 ms of calls in flight: far above steady state, so a slow spell is absorbed, not dropped.
const vus = envNumber('JSONRPC_VUS', Math.ceil(cfg.rate * 0.5) + 20, { min: 1, max: 10_000, integer: true });

export const options: Options = {
  scenarios: {
    sustained: {
      executor: 'constant-arrival-rate',
      rate: cfg.rate,
      timeUnit: '1s',
      duration: `${cfg.durationS}s`,
      preAllocatedVUs: vus,
      maxVUs: vus,
      gracefulStop: '10s',
    },
  },
  thresholds: jsonRpcThresholds(cfg),
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
  scenario: 'jsonrpc/sustained',
  target: 'jsonrpc',
  profile: 'sustained',
  latencyMetric: 'rpc_latency',
  unit: 'requests',
  rateMetric: 'rpc_calls',
  expectedMetric: null,
  askedRate: cfg.rate,
  durationS: cfg.durationS,
  errorMetric: 'tidemark_errors',
  connections: null,
});
