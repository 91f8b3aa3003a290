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

/** Per-target protocol metrics. Targets still being built have empty lists: fill them when their scenarios land. */
export const TARGET_METRICS: Readonly<Record<TargetName, TargetMetrics>> = {
  // scenarios/lib/sse-metrics.ts
  sse: {
    latency: ['sse_delivery_latency', 'sse_first_event', 'sse_connect_time', 'sse_reconnect_time'],
    headline: ['sse_delivery_latency', 'sse_reconnect_time'],
    operations: ['sse_events', 'sse_events_expected'],
    losses: ['sse_gaps', 'sse_duplicates'],
    errors: ['tidemark_errors'],
  },
  // JSON-RPC / MCP: to be filled by the jsonrpc scenarios issue (k6's http_* built-ins are covered below).
  jsonrpc: { latency: NONE, headline: NONE, operations: NONE, losses: NONE, errors: NONE },
  // Pub/sub broker: to be filled by the broker scenarios issue.
  broker: { latency: NONE, headline: NONE, operations: NONE, losses: NONE, errors: NONE },
  // Price engine: to be filled by the price-engine scenarios issue.
  'price-engine': { latency: NONE, headline: NONE, operations: NONE, losses: NONE, errors: NONE },
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
