/**
 * SSE burst: stream opens arrive at a steady rate, jump 10x within seconds, hold, and drop back (open model).
 * Each stream is held SSE_HOLD_S seconds, so concurrency follows the arrival rate. Latency, connect and
 * first-event times are tagged `phase` (pre, spike, recovery) to show whether latency comes back after the spike.
 * Env: TARGET_URL, SSE_CONNECTIONS (steady concurrency), SSE_RATE, SSE_SIZE, SSE_HOLD_S, TIDEMARK_DURATION,
 * SSE_LATENCY_P95_MS (pre and recovery), SSE_SPIKE_P95_MS (during the spike).
 */
import type { Options } from 'k6/options';
import { envNumber } from '../lib/env.ts';
import { burstShape, burstStages, currentPhase } from '../lib/phases.ts';
import { sseConfig } from '../lib/sse-config.ts';
import { readStream, streamUrl } from '../lib/sse-stream.ts';
import { SUMMARY_TREND_STATS, makeHandleSummary } from '../lib/summary.ts';

const cfg = sseConfig({ connections: 20, rate: 10, durationS: 20 });
const holdS = envNumber('SSE_HOLD_S', 3, { min: 0.5, max: 600 });
const spikeP95Ms = envNumber('SSE_SPIKE_P95_MS', 1000, { min: 0 });
const shape = burstShape(cfg.durationS);
const peakStreams = Math.ceil(cfg.connections * 10 * 1.3) + 5;

export const options: Options = {
  scenarios: {
    burst: {
      executor: 'ramping-arrival-rate',
      // `connections` opens per hold time keeps `connections` streams open; k6 wants whole-number rates,
      // so the hold time is the time unit rather than a fractional rate per second.
      startRate: cfg.connections,
      timeUnit: `${Math.round(holdS * 1000)}ms`,
      stages: burstStages(shape, cfg.connections),
      preAllocatedVUs: peakStreams,
      maxVUs: peakStreams,
      gracefulStop: `${Math.ceil(holdS + 5)}s`,
    },
  },
  // The steady phases get the delivery budget; the spike gets its own, looser one (SSE_SPIKE_P95_MS): 10x the
  // streams on the same cores is expected to queue, and the point is that latency comes back afterwards.
  thresholds: {
    sse_gaps: ['count==0'],
    tidemark_errors: ['rate<0.01'],
    'sse_delivery_latency{phase:spike}': [`p(95)<${spikeP95Ms}`],
    'sse_delivery_latency{phase:pre}': [`p(95)<${cfg.latencyP95Ms}`],
    'sse_delivery_latency{phase:recovery}': [`p(95)<${cfg.latencyP95Ms}`],
    'sse_connect_time{phase:spike}': ['p(95)<1000'],
    'sse_first_event{phase:spike}': ['p(95)<2000'],
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export default function (): void {
  readStream({
    url: streamUrl(cfg.baseUrl, cfg),
    holdMs: holdS * 1000,
    rate: cfg.rate,
    tags: { phase: currentPhase(shape) },
  });
}

export const handleSummary = makeHandleSummary({
  scenario: 'sse/burst',
  target: 'sse',
  profile: 'burst',
  latencyMetric: 'sse_delivery_latency',
  unit: 'events',
  rateMetric: 'sse_events',
  expectedMetric: 'sse_events_expected',
  askedRate: null,
  durationS: shape.preS + 2 * shape.rampS + shape.spikeS + shape.recoveryS,
  errorMetric: 'tidemark_errors',
  connections: cfg.connections,
});
