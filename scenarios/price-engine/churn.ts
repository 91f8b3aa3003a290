/**
 * Price engine churn: subscribers open quote streams at a constant rate (default 20/s), read a few quotes
 * (default 5) of a few symbols, and close, while ticks flow at a steady rate (default 1,000/s). Checks
 * connect and first-quote times, end-to-end latency, and that the engine is back to 0 streams at the end.
 * Env: TARGET_URL, PE_CHURN_RATE (opens/s), PE_CHURN_QUOTES (quotes per stream), PE_SUB_SYMBOLS (default 5),
 * PE_RATE, PE_BATCH, PE_SYMBOLS, PE_TRANSPORT (ws|http), PE_PUBLISHERS (ws), TIDEMARK_DURATION,
 * PE_E2E_P95_MS, PE_ENGINE_P95_MS, PE_FIRST_QUOTE_P95_MS.
 */
import type { Options } from 'k6/options';
import exec from 'k6/execution';
import { envNumber } from '../lib/env.ts';
import { WARMUP_MS, batchArrival, priceConfig, priceThresholds, publisherVus, quotesUrl, subscriberSymbols } from '../lib/price-config.ts';
import { markEngine, recordEngineLatency, recordSubscribersLeft } from '../lib/price-engine-window.ts';
import { constantPlan, sharePlan } from '../lib/price-plan.ts';
import { readQuotes } from '../lib/price-quotes.ts';
import { postBatch, publishOverWs } from '../lib/price-ticks.ts';
import { SUMMARY_TREND_STATS, makeHandleSummary } from '../lib/summary.ts';

const cfg = priceConfig({ rate: 1000, subSymbols: 5, durationS: 15 });
const opensPerS = envNumber('PE_CHURN_RATE', 20, { min: 0.1, max: 10_000 });
const quotesPerStream = envNumber('PE_CHURN_QUOTES', 5, { min: 1, max: 100_000, integer: true });
const firstQuoteP95Ms = envNumber('PE_FIRST_QUOTE_P95_MS', 1000, { min: 0 });
/** Seconds a stream needs for its quotes at the per-symbol tick rate, and the most it is held. */
const streamS = quotesPerStream / Math.max(1, (cfg.rate / cfg.symbols) * Math.max(1, cfg.subSymbols));
const holdS = Math.max(5, streamS * 4);
/** Ticks keep flowing this long after the last open, so the last streams get their quotes. */
const tailS = Math.ceil(streamS * 4 + 1);
const subscriberVus = Math.ceil(opensPerS * (streamS + 0.5) * 2) + 5;
const vus = publisherVus(cfg, cfg.rate);

const ticks =
  cfg.transport === 'http'
    ? {
        executor: 'constant-arrival-rate' as const,
        ...batchArrival(cfg, cfg.rate),
        // Ticks keep flowing until the last streams have read their quotes.
        duration: `${cfg.durationS + tailS}s`,
        preAllocatedVUs: vus,
        maxVUs: vus,
        gracefulStop: '5s',
        exec: 'publish',
      }
    : {
        executor: 'per-vu-iterations' as const,
        vus: cfg.publishers,
        iterations: 1,
        maxDuration: `${Math.ceil(cfg.durationS + tailS + 10)}s`,
        exec: 'publishWs',
      };

export const options: Options = {
  scenarios: {
    ticks,
    churn: {
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

export function setup(): { mark: string } {
  return { mark: markEngine(cfg.baseUrl, WARMUP_MS) };
}

export function publish(): void {
  postBatch(cfg);
}

export function publishWs(): void {
  publishOverWs(cfg, sharePlan(constantPlan(cfg.rate, cfg.durationS + tailS), cfg.publishers));
}

export function subscribe(): void {
  // Each stream follows a different window of symbols, so every symbol's streams open and close.
  readQuotes({
    url: quotesUrl(cfg.baseUrl, subscriberSymbols(cfg, exec.scenario.iterationInTest)),
    holdMs: holdS * 1000,
    maxQuotes: quotesPerStream,
  });
}

export function teardown(data: { mark: string }): void {
  recordEngineLatency(cfg.baseUrl, data.mark);
  recordSubscribersLeft(cfg.baseUrl);
}

export const handleSummary = makeHandleSummary({
  scenario: 'price-engine/churn',
  target: 'price-engine',
  profile: 'churn',
  latencyMetric: 'pe_tick_to_quote',
  unit: 'ticks',
  rateMetric: 'pe_ticks_accepted',
  expectedMetric: 'pe_ticks_expected',
  askedRate: null,
  durationS: cfg.durationS + tailS,
  errorMetric: 'tidemark_errors',
  connections: null,
});
