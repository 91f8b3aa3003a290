/**
 * SSE sustained: N streams held for the whole duration at a fixed per-stream rate.
 * Measures delivery latency, time to first event, events received against events asked, gaps and errors.
 * With Tidemark's k6/x/sse the extension measures the events in Go and each VU holds several streams
 * (`SSE_VUS` VUs share them); elsewhere, or with `SSE_MEASURE=js`, one VU per stream measures in JavaScript.
 * Env: TARGET_URL, SSE_CONNECTIONS, SSE_RATE, SSE_SIZE, SSE_TOPIC, TIDEMARK_DURATION, SSE_LATENCY_P95_MS,
 * SSE_MEASURE (auto, go, js), SSE_VUS (10).
 */
import exec from 'k6/execution';
import type { Options } from 'k6/options';
import { sseConfig, sseThresholds } from '../lib/sse-config.ts';
import { MEASURE_MODE } from '../lib/sse-measure-mode.ts';
import { readStreams, streamUrl } from '../lib/sse-stream.ts';
import { streamVus, streamsOfIteration } from '../lib/sse-vus.ts';
import { SUMMARY_TREND_STATS, makeHandleSummary } from '../lib/summary.ts';

const cfg = sseConfig();
const vus = streamVus(cfg.connections, MEASURE_MODE);

export const options: Options = {
  scenarios: {
    sustained: {
      // One iteration per VU that holds its streams for the duration: the streams are the load.
      executor: 'per-vu-iterations',
      vus,
      iterations: 1,
      maxDuration: `${Math.ceil(cfg.durationS + 30)}s`,
    },
  },
  thresholds: { ...sseThresholds(cfg), sse_first_event: ['p(95)<1000'] },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export default async function (): Promise<void> {
  await readStreams(streamsOfIteration(exec.scenario.iterationInTest, vus, cfg.connections), {
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
