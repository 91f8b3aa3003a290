/**
 * JSON-RPC churn: MCP sessions arrive at a constant rate; each iteration opens a new session
 * (initialize, notifications/initialized), makes JSONRPC_CHURN_CALLS tool calls, and DELETEs it, every
 * request on a new TCP connection (no keep-alive). Measures the whole session time, the handshake and
 * delete times, and, after the run, that the target holds no session any more (clean-up).
 * Env: TARGET_URL, JSONRPC_CHURN_RATE (sessions/s, 10), JSONRPC_CHURN_CALLS (1), JSONRPC_SESSION_P95_MS (500),
 * JSONRPC_COMPUTE_ITERATIONS, JSONRPC_CACHE_KEYS, JSONRPC_TOOL_P95_MS, TIDEMARK_DURATION (15s).
 */
import http from 'k6/http';
import { Gauge } from 'k6/metrics';
import type { Options } from 'k6/options';
import { envNumber } from '../lib/env.ts';
import { jsonRpcConfig } from '../lib/jsonrpc-config.ts';
import { mcpCall, mcpDelete, mcpOpen } from '../lib/jsonrpc-client.ts';
import * as m from '../lib/jsonrpc-metrics.ts';
import { SUMMARY_TREND_STATS, makeHandleSummary } from '../lib/summary.ts';

const cfg = jsonRpcConfig({ durationS: 15 });
const sessionsPerS = envNumber('JSONRPC_CHURN_RATE', 10, { min: 0.1, max: 10_000 });
const callsPerSession = envNumber('JSONRPC_CHURN_CALLS', 1, { min: 1, max: 1000, integer: true });
const sessionP95Ms = envNumber('JSONRPC_SESSION_P95_MS', 500, { min: 0 });
const vus = envNumber('JSONRPC_VUS', Math.ceil(sessionsPerS * 0.5) + 10, { min: 1, max: 10_000, integer: true });

/** Sessions the run left open on the target (its /stats after minus before): every session must have been deleted. */
const sessionsLeft = new Gauge('mcp_sessions_left');

export const options: Options = {
  scenarios: {
    churn: {
      executor: 'constant-arrival-rate',
      rate: sessionsPerS,
      timeUnit: '1s',
      duration: `${cfg.durationS}s`,
      preAllocatedVUs: vus,
      maxVUs: vus,
      gracefulStop: '10s',
    },
  },
  // Every request opens a new connection: connection set-up and tear-down are part of the load.
  noConnectionReuse: true,
  thresholds: {
    tidemark_errors: ['rate<0.01'],
    'rpc_latency{method:tools/call}': [`p(95)<${cfg.toolP95Ms}`],
    mcp_session_time: [`p(95)<${sessionP95Ms}`],
    mcp_sessions_left: ['value==0'],
    rpc_cache_hits: ['rate>0'],
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export default function (): void {
  const started = Date.now();
  const session = mcpOpen(cfg.baseUrl, { timeout: cfg.timeout });
  if (session === null) return;
  let ok = true;
  for (let i = 0; i < callsPerSession; i++) {
    const iterations = cfg.computeIterations + Math.floor(Math.random() * cfg.cacheKeys);
    const outcome = mcpCall(session, 'tools/call', { name: 'compute', arguments: { iterations } }, {
      timeout: cfg.timeout,
      check: (r) => {
        const result = r as { structuredContent?: { iterations?: unknown }; _meta?: Record<string, unknown> };
        const cache = result._meta?.['tidemark/cache'];
        if (cache === 'hit' || cache === 'miss') m.cacheHits.add(cache === 'hit');
        return result.structuredContent?.iterations === iterations;
      },
    });
    ok &&= outcome.ok;
  }
  ok = mcpDelete(session, { timeout: cfg.timeout }) && ok;
  if (ok) {
    m.mcpSessionTime.add(Date.now() - started);
    m.mcpSessions.add(1);
  }
}

/** The target's own count of open MCP sessions, or null when it has no Tidemark JSON-RPC /stats. */
function openSessions(): number | null {
  const res = http.get(`${cfg.baseUrl}/stats`, { tags: { rpc: 'stats' } });
  if (res.status !== 200) return null;
  const stats = res.json() as { target?: string; mcp?: { sessions?: { current?: number } } };
  const current = stats.target === 'jsonrpc' ? stats.mcp?.sessions?.current : undefined;
  return typeof current === 'number' ? current : null;
}

export function setup(): { before: number | null } {
  return { before: openSessions() };
}

/** After the load: sessions this run left behind (skipped against a target without that /stats). */
export function teardown(data: { before: number | null }): void {
  const after = openSessions();
  if (after !== null && data.before !== null) sessionsLeft.add(Math.max(0, after - data.before));
}

export const handleSummary = makeHandleSummary({
  scenario: 'jsonrpc/churn',
  target: 'jsonrpc',
  profile: 'churn',
  latencyMetric: 'mcp_session_time',
  unit: 'requests',
  rateMetric: 'rpc_calls',
  expectedMetric: null,
  askedRate: sessionsPerS * callsPerSession,
  durationS: cfg.durationS,
  errorMetric: 'tidemark_errors',
  connections: null,
});
