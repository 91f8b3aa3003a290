/**
 * The JSON-RPC churn shape, shared by `jsonrpc/churn` and `jsonrpc/soak`: MCP sessions arrive at a constant rate;
 * each opens a new session (initialize, notifications/initialized), makes a few tool calls and DELETEs it, every
 * request on a new TCP connection. After the run, the target must hold no session any more (clean-up).
 */
import http from 'k6/http';
import { Gauge } from 'k6/metrics';
import type { Options } from 'k6/options';
import { withAuth } from './auth.ts';
import { envNumber } from './env.ts';
import { jsonRpcConfig } from './jsonrpc-config.ts';
import { mcpCall, mcpDelete, mcpOpen } from './jsonrpc-client.ts';
import * as m from './jsonrpc-metrics.ts';
import { SUMMARY_TREND_STATS, makeHandleSummary } from './summary.ts';

/** What differs between the profiles built on this shape. */
export interface JsonRpcChurnProfile {
  /** Profile name in the scenario name `jsonrpc/<profile>`. */
  profile: 'churn' | 'soak';
  /** Default load-phase length in seconds (`TIDEMARK_DURATION` overrides). */
  durationS: number;
  /** Default new sessions per second (`JSONRPC_CHURN_RATE` overrides). */
  sessionsPerS: number;
}

/** Sessions the run left open on the target (its /stats after minus before): every session must have been deleted. */
const sessionsLeft = new Gauge('mcp_sessions_left');

/** The k6 exports of a churn-shaped JSON-RPC scenario. */
export function jsonRpcChurn(profile: JsonRpcChurnProfile): {
  options: Options;
  iteration: () => void;
  setup: () => { before: number | null };
  teardown: (data: { before: number | null }) => void;
  handleSummary: ReturnType<typeof makeHandleSummary>;
} {
  const cfg = jsonRpcConfig({ durationS: profile.durationS });
  const sessionsPerS = envNumber('JSONRPC_CHURN_RATE', profile.sessionsPerS, { min: 0.1, max: 10_000 });
  const callsPerSession = envNumber('JSONRPC_CHURN_CALLS', 1, { min: 1, max: 1000, integer: true });
  const sessionP95Ms = envNumber('JSONRPC_SESSION_P95_MS', 500, { min: 0 });
  const vus = envNumber('JSONRPC_VUS', Math.ceil(sessionsPerS * 0.5) + 10, { min: 1, max: 10_000, integer: true });

  const options: Options = {
    scenarios: {
      [profile.profile]: {
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

  const iteration = (): void => {
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
  };

  /** The target's own count of open MCP sessions, or null when it has no Tidemark JSON-RPC /stats. */
  const openSessions = (): number | null => {
    const res = http.get(`${cfg.baseUrl}/stats`, { headers: withAuth(), tags: { rpc: 'stats' } });
    if (res.status !== 200) return null;
    const stats = res.json() as { target?: string; mcp?: { sessions?: { current?: number } } };
    const current = stats.target === 'jsonrpc' ? stats.mcp?.sessions?.current : undefined;
    return typeof current === 'number' ? current : null;
  };

  const handleSummary = makeHandleSummary({
    scenario: `jsonrpc/${profile.profile}`,
    target: 'jsonrpc',
    profile: profile.profile,
    latencyMetric: 'mcp_session_time',
    unit: 'requests',
    rateMetric: 'rpc_calls',
    expectedMetric: null,
    askedRate: sessionsPerS * callsPerSession,
    durationS: cfg.durationS,
    errorMetric: 'tidemark_errors',
    connections: null,
  });

  return {
    options,
    iteration,
    setup: () => ({ before: openSessions() }),
    // After the load: sessions this run left behind (skipped against a target without that /stats).
    teardown: (data) => {
      const after = openSessions();
      if (after !== null && data.before !== null) sessionsLeft.add(Math.max(0, after - data.before));
    },
    handleSummary,
  };
}
