/**
 * Price engine sustained: ticks at a constant rate (default 10,000/s over 50 symbols, in batches of 100)
 * while subscribers hold quote streams for the whole run and measure tick-to-quote latency end to end.
 * The engine's own latency over exactly this run is read at the end (`pe_engine_*_ms`).
 * Env: TARGET_URL, PE_RATE, PE_BATCH, PE_SYMBOLS, PE_TRANSPORT (http|ws), PE_PUBLISHERS (ws), PE_SUBSCRIBERS,
 * PE_SUB_SYMBOLS, TIDEMARK_DURATION, PE_E2E_P95_MS, PE_ENGINE_P95_MS.
 */
import type { Options } from 'k6/options';
import { WARMUP_MS, priceConfig, priceThresholds, quotesUrl, subscriberSymbols, tickScenario } from '../lib/price-config.ts';
import { markEngine, recordEngineLatency } from '../lib/price-engine-window.ts';
import { constantPlan, sharePlan } from '../lib/price-plan.ts';
import { readQuotes } from '../lib/price-quotes.ts';
import { postBatch, publishOverWs } from '../lib/price-ticks.ts';
import { SUMMARY_TREND_STATS, makeHandleSummary } from '../lib/summary.ts';
import exec from 'k6/execution';

const cfg = priceConfig();

export const options: Options = {
  scenarios: {
    ticks: tickScenario(cfg, cfg.durationS),
    ...(cfg.subscribers > 0
      ? {
          subscribers: {
            // One iteration per VU holding its stream for the run: the streams are the subscriber load.
            executor: 'per-vu-iterations',
            vus: cfg.subscribers,
            iterations: 1,
            maxDuration: `${Math.ceil(cfg.durationS + 30)}s`,
            exec: 'subscribe',
          },
        }
      : {}),
  },
  thresholds: priceThresholds(cfg),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function setup(): { mark: string } {
  return { mark: markEngine(cfg.baseUrl, WARMUP_MS) };
}

export function publish(): void {
  postBatch(cfg);
}

export function publishWs(): void {
  publishOverWs(cfg, sharePlan(constantPlan(cfg.rate, cfg.durationS), cfg.publishers));
}

export function subscribe(): void {
  readQuotes({
    url: quotesUrl(cfg.baseUrl, subscriberSymbols(cfg, exec.vu.idInInstance - 1)),
    // Until the last batches' quotes have arrived.
    holdMs: (cfg.durationS + 1) * 1000,
  });
}

export function teardown(data: { mark: string }): void {
  recordEngineLatency(cfg.baseUrl, data.mark);
}

export const handleSummary = makeHandleSummary({
  scenario: 'price-engine/sustained',
  target: 'price-engine',
  profile: 'sustained',
  latencyMetric: 'pe_tick_to_quote',
  unit: 'ticks',
  rateMetric: 'pe_ticks_accepted',
  expectedMetric: 'pe_ticks_expected',
  askedRate: null,
  durationS: cfg.durationS,
  errorMetric: 'tidemark_errors',
  // Ticks, not held connections, are the unit of memory here (symbol books grow with symbols, not streams).
  connections: null,
});
