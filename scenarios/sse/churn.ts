/**
 * SSE churn: streams open at a constant arrival rate, read a few events of a shared topic, close, and the next
 * stream of the same VU resumes with Last-Event-ID. Measures reconnect-to-first-event time and gaps (must be 0).
 * Env: TARGET_URL, SSE_CHURN_RATE (opens/s), SSE_CHURN_EVENTS (events per stream), SSE_RATE, SSE_SIZE, SSE_TOPIC,
 * TIDEMARK_DURATION, SSE_LATENCY_P95_MS, SSE_RECONNECT_AVG_MS.
 */
import type { Options } from 'k6/options';
import { envNumber } from '../lib/env.ts';
import { sseConfig } from '../lib/sse-config.ts';
import { readStream, streamUrl } from '../lib/sse-stream.ts';
import { SUMMARY_TREND_STATS, makeHandleSummary } from '../lib/summary.ts';

const cfg = sseConfig({ topic: 'churn', durationS: 15 });
const opensPerS = envNumber('SSE_CHURN_RATE', 20, { min: 0.1, max: 10000 });
const eventsPerStream = envNumber('SSE_CHURN_EVENTS', 5, { min: 1, max: 100000, integer: true });
const reconnectAvgMs = envNumber('SSE_RECONNECT_AVG_MS', 500, { min: 0 });
const streamS = eventsPerStream / cfg.rate;
const vus = Math.ceil(opensPerS * (streamS + 0.5) * 1.5) + 2;

export const options: Options = {
  scenarios: {
    churn: {
      executor: 'constant-arrival-rate',
      rate: opensPerS,
      timeUnit: '1s',
      duration: `${cfg.durationS}s`,
      preAllocatedVUs: vus,
      maxVUs: vus,
      gracefulStop: `${Math.ceil(streamS + 5)}s`,
    },
  },
  // No delivery-latency budget here: a resumed stream starts with replayed, deliberately old events.
  thresholds: {
    sse_gaps: ['count==0'],
    tidemark_errors: ['rate<0.01'],
    sse_reconnect_time: [`avg<${reconnectAvgMs}`],
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

/** The last id this VU saw on the topic: its next stream resumes from there. */
let lastId: number | null = null;

export default function (): void {
  const outcome = readStream({
    url: streamUrl(cfg.baseUrl, cfg),
    holdMs: Math.max(10_000, streamS * 4000),
    maxEvents: eventsPerStream,
    ...(lastId === null ? {} : { lastEventId: lastId }),
    tags: { resumed: lastId === null ? 'false' : 'true' },
  });
  if (outcome.lastId !== null) lastId = outcome.lastId;
}

export const handleSummary = makeHandleSummary({
  scenario: 'sse/churn',
  target: 'sse',
  profile: 'churn',
  latencyMetric: 'sse_reconnect_time',
  unit: 'events',
  rateMetric: 'iterations',
  expectedMetric: null,
  askedRate: opensPerS,
  durationS: cfg.durationS,
  errorMetric: 'tidemark_errors',
  connections: null,
});
