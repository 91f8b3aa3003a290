/**
 * The SSE churn shape, shared by `sse/churn` and `sse/soak`: streams open at a constant arrival rate, read a few
 * events of a shared topic, close, and the VU's next stream resumes with Last-Event-ID.
 */
import type { Options } from 'k6/options';
import { envNumber } from './env.ts';
import { sseConfig } from './sse-config.ts';
import { readStream, streamUrl } from './sse-stream.ts';
import { SUMMARY_TREND_STATS, makeHandleSummary } from './summary.ts';

/** What differs between the profiles built on this shape. */
export interface SseChurnProfile {
  /** Profile name in the scenario name `sse/<profile>`. */
  profile: 'churn' | 'soak';
  /** Default load-phase length in seconds (`TIDEMARK_DURATION` overrides). */
  durationS: number;
  /** Default stream opens per second (`SSE_CHURN_RATE` overrides). */
  opensPerS: number;
  /**
   * A resumed stream reads the events it missed before its `SSE_CHURN_EVENTS` live ones (see `StreamOptions`):
   * needed for a soak, where VUs would otherwise fall minutes behind the topic. Default false (churn keeps the
   * shape its baseline was taken with).
   */
  catchUp?: boolean;
}

/** The k6 exports of a churn-shaped SSE scenario. */
export function sseChurn(profile: SseChurnProfile): {
  options: Options;
  iteration: () => void;
  handleSummary: ReturnType<typeof makeHandleSummary>;
} {
  const cfg = sseConfig({ topic: profile.profile, durationS: profile.durationS });
  const opensPerS = envNumber('SSE_CHURN_RATE', profile.opensPerS, { min: 0.1, max: 10000 });
  const eventsPerStream = envNumber('SSE_CHURN_EVENTS', 5, { min: 1, max: 100000, integer: true });
  const reconnectAvgMs = envNumber('SSE_RECONNECT_AVG_MS', 500, { min: 0 });
  const streamS = eventsPerStream / cfg.rate;
  const vus = Math.ceil(opensPerS * (streamS + 0.5) * 1.5) + 2;

  const options: Options = {
    scenarios: {
      [profile.profile]: {
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

  const iteration = (): void => {
    const outcome = readStream({
      url: streamUrl(cfg.baseUrl, cfg),
      holdMs: Math.max(10_000, streamS * 4000),
      maxEvents: eventsPerStream,
      catchUp: profile.catchUp ?? false,
      ...(lastId === null ? {} : { lastEventId: lastId }),
      tags: { resumed: lastId === null ? 'false' : 'true' },
    });
    if (outcome.lastId !== null) lastId = outcome.lastId;
  };

  const handleSummary = makeHandleSummary({
    scenario: `sse/${profile.profile}`,
    target: 'sse',
    profile: profile.profile,
    latencyMetric: 'sse_reconnect_time',
    unit: 'events',
    rateMetric: 'iterations',
    expectedMetric: null,
    askedRate: opensPerS,
    durationS: cfg.durationS,
    errorMetric: 'tidemark_errors',
    connections: null,
  });

  return { options, iteration, handleSummary };
}
