/**
 * The price-engine churn shape, shared by `price-engine/churn` and `price-engine/soak`: subscribers open quote
 * streams at a constant rate, read a few quotes of a few symbols and close, while ticks flow at a steady rate.
 */
import type { Options } from 'k6/options';
import exec from 'k6/execution';
import { envNumber } from './env.ts';
import { WARMUP_MS, priceConfig, priceThresholds, quotesUrl, subscriberSymbols, tickScenario } from './price-config.ts';
import { markEngine, recordEngineLatency, recordSubscribersLeft } from './price-engine-window.ts';
import { constantPlan, sharePlan } from './price-plan.ts';
import { readQuotes } from './price-quotes.ts';
import { postBatch, publishOverWs } from './price-ticks.ts';
import { SUMMARY_TREND_STATS, makeHandleSummary } from './summary.ts';

/** What differs between the profiles built on this shape. */
export interface PriceChurnProfile {
  /** Profile name in the scenario name `price-engine/<profile>`. */
  profile: 'churn' | 'soak';
  /** Default open phase in seconds (`TIDEMARK_DURATION` overrides). */
  durationS: number;
  /** Default stream opens per second (`PE_CHURN_RATE` overrides). */
  opensPerS: number;
}

/** The k6 exports of a churn-shaped price-engine scenario. */
export function priceChurn(profile: PriceChurnProfile): {
  options: Options;
  setup: () => { mark: string };
  publish: () => void;
  publishWs: () => void;
  subscribe: () => void;
  teardown: (data: { mark: string }) => void;
  handleSummary: ReturnType<typeof makeHandleSummary>;
} {
  const cfg = priceConfig({ rate: 1000, subSymbols: 5, durationS: profile.durationS });
  const opensPerS = envNumber('PE_CHURN_RATE', profile.opensPerS, { min: 0.1, max: 10_000 });
  const quotesPerStream = envNumber('PE_CHURN_QUOTES', 5, { min: 1, max: 100_000, integer: true });
  const firstQuoteP95Ms = envNumber('PE_FIRST_QUOTE_P95_MS', 1000, { min: 0 });
  /** Seconds a stream needs for its quotes at the per-symbol tick rate, and the most it is held. */
  const streamS = quotesPerStream / Math.max(1, (cfg.rate / cfg.symbols) * Math.max(1, cfg.subSymbols));
  const holdS = Math.max(5, streamS * 4);
  /** Ticks keep flowing this long after the last open, so the last streams get their quotes. */
  const tailS = Math.ceil(streamS * 4 + 1);
  const subscriberVus = Math.ceil(opensPerS * (streamS + 0.5) * 2) + 5;
  // Ticks keep flowing until the last streams have read their quotes.
  const ticks = tickScenario(cfg, cfg.durationS + tailS);

  const options: Options = {
    scenarios: {
      ticks,
      [profile.profile]: {
        executor: 'constant-arrival-rate',
        rate: opensPerS,
        timeUnit: '1s',
        duration: `${cfg.durationS}s`,
        preAllocatedVUs: subscriberVus,
        maxVUs: subscriberVus,
        gracefulStop: `${Math.ceil(holdS + 2)}s`,
        exec: 'subscribe',
      },
    },
    thresholds: {
      ...priceThresholds(cfg),
      pe_first_quote: [`p(95)<${firstQuoteP95Ms}`],
      pe_subscribers_left: ['value==0'],
    },
    summaryTrendStats: SUMMARY_TREND_STATS,
  };

  return {
    options,
    setup: () => ({ mark: markEngine(cfg.baseUrl, WARMUP_MS) }),
    publish: () => postBatch(cfg),
    publishWs: () => publishOverWs(cfg, sharePlan(constantPlan(cfg.rate, cfg.durationS + tailS), cfg.publishers)),
    // Each stream follows a different window of symbols, so every symbol's streams open and close.
    subscribe: () =>
      readQuotes({
        url: quotesUrl(cfg.baseUrl, subscriberSymbols(cfg, exec.scenario.iterationInTest)),
        holdMs: holdS * 1000,
        maxQuotes: quotesPerStream,
      }),
    teardown: (data) => {
      recordEngineLatency(cfg.baseUrl, data.mark);
      recordSubscribersLeft(cfg.baseUrl);
    },
    handleSummary: makeHandleSummary({
      scenario: `price-engine/${profile.profile}`,
      target: 'price-engine',
      profile: profile.profile,
      latencyMetric: 'pe_tick_to_quote',
      unit: 'ticks',
      rateMetric: 'pe_ticks_accepted',
      expectedMetric: 'pe_ticks_expected',
      askedRate: null,
      durationS: cfg.durationS + tailS,
      errorMetric: 'tidemark_errors',
      connections: null,
    }),
  };
}
