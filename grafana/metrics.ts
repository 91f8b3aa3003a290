/**
 * Registry of the protocol metrics each target's k6 scenarios write, by role. The dashboards read this
 * list instead of hard-coding names: the Run dashboard repeats its latency panel over the latency metrics a
 * run actually wrote, and the History and Overview dashboards plot the headline latency of every scenario.
 *
 * Adding a target: fill its entry below with the metric names its scenarios create (`new Trend('…')` etc.
 * in `scenarios/lib/`), then run `npm run dashboards` and commit the regenerated JSON. Names only ever
 * widen the dashboards' regular expressions, so an entry for a target with no runs yet is harmless.
 */

/** What each role means on the dashboards. */
export interface TargetMetrics {
  /** k6 Trends in ms, one latency panel each (p50, p90, p95, p99, max over time). */
  latency: readonly string[];
  /** The latency metrics gated per scenario (`handleSummary`'s `latencyMetric`); History and Overview plot their p95. */
  headline: readonly string[];
  /** k6 Counters of operations done or asked for: plotted as rates per second. */
  operations: readonly string[];
  /** k6 Counters of operations lost: gaps, duplicates, drops (should stay at 0). */
  losses: readonly string[];
  /** k6 Rates (0..1) of failed operations. */
  errors: readonly string[];
}

/** The reference targets (blueprint: sse, jsonrpc, broker, price-engine). */
export type TargetName = 'sse' | 'jsonrpc' | 'broker' | 'price-engine';

const NONE: readonly string[] = [];

/**
 * Per-target protocol metrics. A target without scenarios yet has empty lists: fill them when they land
 * (tests/grafana-dashboards.test.ts checks every Trend and Counter of `scenarios/lib/<target>-metrics.ts` is here).
 */
export const TARGET_METRICS: Readonly<Record<TargetName, TargetMetrics>> = {
  // scenarios/lib/sse-metrics.ts
  sse: {
    latency: ['sse_delivery_latency', 'sse_first_event', 'sse_connect_time', 'sse_reconnect_time'],
    headline: ['sse_delivery_latency', 'sse_reconnect_time'],
    operations: ['sse_events', 'sse_events_expected'],
    losses: ['sse_gaps', 'sse_duplicates'],
    errors: ['tidemark_errors'],
  },
  // scenarios/lib/jsonrpc-metrics.ts (k6's http_* built-ins are covered by K6_BUILTIN_METRICS below).
  jsonrpc: {
    latency: ['rpc_latency', 'mcp_session_setup', 'mcp_session_time', 'mcp_session_delete'],
    headline: ['rpc_latency', 'mcp_session_time'],
    operations: ['rpc_calls', 'rpc_calls_expected', 'mcp_progress', 'mcp_sessions'],
    losses: ['mcp_progress_gaps'],
    errors: ['tidemark_errors'],
  },
  // scenarios/lib/broker-metrics.ts (`broker_lag` and `broker_resume_backlog` are Trends of message counts, not ms:
  // the Run dashboard's Metric summaries table shows them).
  broker: {
    latency: ['broker_e2e_latency', 'broker_publish_confirm', 'broker_ack_latency', 'broker_backlog_drain', 'broker_resume_time'],
    headline: ['broker_e2e_latency', 'broker_resume_time'],
    operations: ['broker_published', 'broker_delivered', 'broker_delivered_expected', 'broker_redelivered'],
    losses: ['broker_lost', 'broker_duplicates', 'broker_out_of_order', 'broker_unconfirmed', 'broker_publish_errors'],
    errors: ['tidemark_errors'],
  },
  // scenarios/lib/price-metrics.ts
  'price-engine': {
    latency: ['pe_tick_to_quote', 'pe_quote_delivery', 'pe_connect_time', 'pe_first_quote'],
    headline: ['pe_tick_to_quote'],
    operations: ['pe_ticks_accepted', 'pe_ticks_expected', 'pe_quotes'],
    losses: ['pe_quote_gaps', 'pe_ticks_rejected'],
    errors: ['tidemark_errors'],
  },
};

/**
 * k6 built-in metrics shown beside every target's own: they appear on a run's panels only when the run
 * wrote them (HTTP-based scenarios write `http_*`; every scenario writes `iterations`).
 */
export const K6_BUILTIN_METRICS: TargetMetrics = {
  latency: ['http_req_duration'],
  headline: NONE,
  operations: ['iterations', 'http_reqs'],
  losses: ['dropped_iterations'],
  errors: ['http_req_failed'],
};

/** One role's metric names across every target plus k6's built-ins, deduplicated and sorted. */
export function metricsOf(role: keyof TargetMetrics): string[] {
  const all = [...Object.values(TARGET_METRICS), K6_BUILTIN_METRICS].flatMap((t) => t[role]);
  return [...new Set(all)].sort();
}
