/**
 * SSE sustained: N streams held for the whole duration at a fixed per-stream rate.
 * Measures delivery latency, time to first event, events received against events asked, gaps and errors.
 * Env: TARGET_URL, SSE_CONNECTIONS, SSE_RATE, SSE_SIZE, SSE_TOPIC, TIDEMARK_DURATION, SSE_LATENCY_P95_MS.
 */
import type { Options } from 'k6/options';
import { sseConfig, sseThresholds } from '../lib/sse-config.ts';
import { readStream, streamUrl } from '../lib/sse-stream.ts';
import { SUMMARY_TREND_STATS, makeHandleSummary } from '../lib/summary.ts';

const cfg = sseConfig();

export const options: Options = {
  scenarios: {
    sustained: {
      // One iteration per VU that holds its stream for the duration: the streams are the load.
      executor: 'per-vu-iterations',
      vus: cfg.connections,
      iterations: 1,
      maxDuration: `${Math.ceil(cfg.durationS + 30)}s`,
    },
  },
  thresholds: { ...sseThresholds(cfg), sse_first_event: ['p(95)<1000'] },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export default function (): void {
  readStream({
    url: streamUrl(cfg.baseUrl, cfg),
    holdMs: cfg.durationS * 1000,
    rate: cfg.rate,
  });
}

export const handleSummary = makeHandleSummary({
  scenario: 'sse/sustained',
  target: 'sse',
  profile: 'sustained',
  latencyMetric: 'sse_delivery_latency',
  unit: 'events',
  rateMetric: 'sse_events',
  expectedMetric: 'sse_events_expected',
  askedRate: null,
  durationS: cfg.durationS,
  errorMetric: 'tidemark_errors',
  connections: cfg.connections,
});
