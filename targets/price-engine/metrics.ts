/** The engine's figures as `/metrics.json` (dashboard, scenarios) and as Prometheus text (`/metrics`). */
import type { MetricFamily } from '../common/prometheus.ts';
import { errorCount, type PeCounters } from './counters.ts';
import type { LatencySummary, LatencyWindow } from './latency.ts';
import type { SeriesPoint } from './series.ts';

/** The engine-latency requirement the dashboard and the scenarios check: p95 below this, ms. */
export const P95_REQUIREMENT_MS = 1;

/** Everything the figures are built from, sampled at one moment. */
export interface MetricsInput {
  uptimeS: number;
  counters: PeCounters;
  /** Since start. */
  latency: LatencySummary;
  /** Exact sum of every latency since start, ns. */
  latencySumNs: number;
  /** The last few seconds. */
  recent: LatencyWindow;
  /** Since a mark, when one was asked for. */
  mark?: { id: string; window: LatencyWindow };
  series: SeriesPoint[];
  subscribers: number;
  wsSessions: number;
  symbols: number;
  rssBytes: number;
}

/** `/metrics.json`. Latencies in ms (µs precision): engine-internal, tick entry to quote emission. */
export function metricsJson(m: MetricsInput): object {
  const c = m.counters;
  const errors = errorCount(c);
  const latest = m.series[m.series.length - 1];
  const attempts = c.ticksReceived + c.batchesRejected;
  const latestAttempts = latest === undefined ? 0 : latest.ticks + latest.errors;
  return {
    target: 'price-engine',
    uptimeS: m.uptimeS,
    unit: 'ms',
    requirement: { metric: 'latency p95', belowMs: P95_REQUIREMENT_MS },
    latency: m.latency,
    recent: { fromMs: Math.round(m.recent.fromMs), toMs: Math.round(m.recent.toMs), latency: m.recent.latency },
    ...(m.mark === undefined
      ? {}
      : { window: { mark: m.mark.id, fromMs: Math.round(m.mark.window.fromMs), toMs: Math.round(m.mark.window.toMs), latency: m.mark.window.latency } }),
    throughput: {
      ticksPerS: latest?.ticks ?? 0,
      quotesPerS: latest?.quotes ?? 0,
      errorsPerS: latest?.errors ?? 0,
      avgTicksPerS: m.uptimeS > 0 ? Math.round((c.ticksProcessed / m.uptimeS) * 10) / 10 : 0,
    },
    totals: {
      ticksReceived: c.ticksReceived,
      ticksProcessed: c.ticksProcessed,
      ticksRejected: c.ticksRejected,
      batches: c.batches,
      batchesRejected: c.batchesRejected,
      quotesEmitted: c.quotesEmitted,
      quotesDropped: c.quotesDropped,
      quoteWrites: c.quoteWrites,
    },
    errors: {
      total: errors,
      /** Share of tick entries and batches refused since start. */
      rate: attempts > 0 ? errors / attempts : 0,
      /** The same share over the last closed second. */
      recentRate: latestAttempts > 0 ? (latest?.errors ?? 0) / latestAttempts : 0,
      byReason: { ...c.rejected },
    },
    subscribers: m.subscribers,
    wsSessions: m.wsSessions,
    symbols: m.symbols,
    series: m.series,
  };
}

/** ms (µs precision) to seconds; via whole µs so the text shows 0.000692, not 0.0006919999999999999. */
const seconds = (ms: number | null): number => (ms === null ? NaN : Math.round(ms * 1000) / 1e6);

/** The Prometheus families: a summary of engine latency in seconds, counters and gauges. */
export function prometheusFamilies(m: MetricsInput): MetricFamily[] {
  const c = m.counters;
  const l = m.latency;
  const latest = m.series[m.series.length - 1];
  const counter = (name: string, help: string, value: number): MetricFamily => ({ name, help, type: 'counter', samples: [{ value }] });
  const gauge = (name: string, help: string, value: number): MetricFamily => ({ name, help, type: 'gauge', samples: [{ value }] });
  return [
    {
      name: 'price_engine_tick_to_quote_seconds',
      help: 'Engine-internal latency from tick entry (batch fully received) to quote emission, since start (HDR histogram, 3 significant digits).',
      type: 'summary',
      samples: [
        { labels: { quantile: '0.5' }, value: seconds(l.p50) },
        { labels: { quantile: '0.9' }, value: seconds(l.p90) },
        { labels: { quantile: '0.95' }, value: seconds(l.p95) },
        { labels: { quantile: '0.99' }, value: seconds(l.p99) },
        { suffix: '_sum', value: m.latencySumNs / 1e9 },
        { suffix: '_count', value: l.count },
      ],
    },
    gauge('price_engine_tick_to_quote_min_seconds', 'Smallest tick-to-quote latency since start (NaN before the first quote).', seconds(l.min)),
    gauge('price_engine_tick_to_quote_mean_seconds', 'Mean tick-to-quote latency since start (NaN before the first quote).', seconds(l.mean)),
    gauge('price_engine_tick_to_quote_max_seconds', 'Largest tick-to-quote latency since start (NaN before the first quote).', seconds(l.max)),
    counter('price_engine_ticks_received_total', 'Tick entries received in decodable batches, valid or not.', c.ticksReceived),
    counter('price_engine_ticks_processed_total', 'Ticks turned into a quote.', c.ticksProcessed),
    counter('price_engine_errors_total', 'Ticks refused plus batches refused as a whole.', errorCount(c)),
    {
      name: 'price_engine_rejections_total',
      help: 'Refusals by reason: per tick for tick reasons, per batch for malformedJson, badBatch, oversizedBatch and bodyTooLarge.',
      type: 'counter',
      samples: Object.entries(c.rejected).map(([reason, value]) => ({ labels: { reason }, value })),
    },
    counter('price_engine_quotes_emitted_total', 'Quotes handed to subscribers.', c.quotesEmitted),
    counter('price_engine_quotes_dropped_total', 'Quotes dropped by TIDEMARK_FAULT_DROP_RATE.', c.quotesDropped),
    gauge('price_engine_throughput_ticks_per_second', 'Ticks processed in the last closed second.', latest?.ticks ?? 0),
    gauge('price_engine_subscribers', 'Open quote streams.', m.subscribers),
    gauge('price_engine_ws_sessions', 'Open WebSocket tick sessions.', m.wsSessions),
    gauge('price_engine_symbols', 'Symbols tracked.', m.symbols),
    gauge('price_engine_uptime_seconds', 'Seconds since the engine started.', m.uptimeS),
    gauge('process_resident_memory_bytes', 'Resident memory of the engine process.', m.rssBytes),
  ];
}
