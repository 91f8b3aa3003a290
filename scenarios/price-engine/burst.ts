/**
 * Price engine burst: ticks at a steady rate (default 1,000/s), a ramp to 10x (10,000/s), a hold, and the
 * ramp back, while subscribers hold quote streams. End-to-end latency and errors are tagged `phase`
 * (pre, spike, recovery) to show whether latency comes back after the spike.
 * Env: TARGET_URL, PE_RATE (steady ticks/s), PE_BATCH, PE_SYMBOLS, PE_TRANSPORT (ws|http), PE_PUBLISHERS (ws),
 * PE_SUBSCRIBERS, PE_SUB_SYMBOLS, TIDEMARK_DURATION, PE_E2E_P95_MS, PE_SPIKE_E2E_P95_MS, PE_ENGINE_P95_MS.
 */
import type { Options } from 'k6/options';
import exec from 'k6/execution';
import { envNumber } from '../lib/env.ts';
import { burstShape, burstStages, currentPhase, phaseClock } from '../lib/phases.ts';
import type { BurstPhase } from '../lib/phases.ts';
import { WARMUP_MS, priceConfig, priceThresholds, quotesUrl, subscriberSymbols, tickScenario } from '../lib/price-config.ts';
import { markEngine, recordEngineLatency } from '../lib/price-engine-window.ts';
import { burstPlan, sharePlan } from '../lib/price-plan.ts';
import { readQuotes } from '../lib/price-quotes.ts';
import { postBatch, publishOverWs } from '../lib/price-ticks.ts';
import { SUMMARY_TREND_STATS, makeHandleSummary } from '../lib/summary.ts';

const cfg = priceConfig({ rate: 1000, durationS: 20 });
/** End-to-end p95 budget during the spike (queues may build briefly), ms. `PE_SPIKE_E2E_P95_MS`, default 4x PE_E2E_P95_MS. */
const spikeE2eP95Ms = envNumber('PE_SPIKE_E2E_P95_MS', cfg.e2eP95Ms * 4, { min: 0 });
const shape = burstShape(cfg.durationS);
const plan = burstPlan(shape, cfg.rate);
/** One tag object per phase, shared: per-message code compares them by identity (see readQuotes). */
const PHASE_TAGS: Readonly<Record<BurstPhase, Record<string, string>>> = {
  pre: { phase: 'pre' },
  spike: { phase: 'spike' },
  recovery: { phase: 'recovery' },
};
const phaseTags = (): Record<string, string> => PHASE_TAGS[currentPhase(shape)];
/** `phaseTags` for per-message calls, made per iteration (see phaseClock). */
const phaseTagsClock = (): (() => Record<string, string>) => {
  const clock = phaseClock(shape);
  return () => PHASE_TAGS[clock()];
};

export const options: Options = {
  scenarios: {
    // HTTP: the steady rate, the 10x spike and back (VUs sized for the spike); WebSocket: the plan's length.
    ticks: tickScenario(cfg, plan.durationS, { stages: burstStages(shape, cfg.rate) }),
    ...(cfg.subscribers > 0
      ? {
          subscribers: {
            executor: 'per-vu-iterations',
            vus: cfg.subscribers,
            iterations: 1,
            maxDuration: `${Math.ceil(plan.durationS + 30)}s`,
            exec: 'subscribe',
          },
        }
      : {}),
  },
  thresholds: {
    ...priceThresholds(cfg),
    // The whole run includes the spike, so its budget is the spike's; pre and recovery keep the strict one.
    pe_tick_to_quote: [`p(95)<${spikeE2eP95Ms}`],
    'pe_tick_to_quote{phase:pre}': [`p(95)<${cfg.e2eP95Ms}`],
    'pe_tick_to_quote{phase:spike}': [`p(95)<${spikeE2eP95Ms}`],
    'pe_tick_to_quote{phase:recovery}': [`p(95)<${cfg.e2eP95Ms}`],
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function setup(): { mark: string } {
  return { mark: markEngine(cfg.baseUrl, WARMUP_MS) };
}

export function publish(): void {
  postBatch(cfg, phaseTags());
}

export function publishWs(): void {
  publishOverWs(cfg, sharePlan(plan, cfg.publishers), phaseTagsClock());
}

export function subscribe(): void {
  readQuotes({
    url: quotesUrl(cfg.baseUrl, subscriberSymbols(cfg, exec.vu.idInInstance - 1)),
    holdMs: (plan.durationS + 1) * 1000,
    dynamicTags: phaseTagsClock(),
  });
}

export function teardown(data: { mark: string }): void {
  recordEngineLatency(cfg.baseUrl, data.mark);
}

export const handleSummary = makeHandleSummary({
  scenario: 'price-engine/burst',
  target: 'price-engine',
  profile: 'burst',
  latencyMetric: 'pe_tick_to_quote',
  unit: 'ticks',
  rateMetric: 'pe_ticks_accepted',
  expectedMetric: 'pe_ticks_expected',
  askedRate: null,
  durationS: plan.durationS,
  errorMetric: 'tidemark_errors',
  connections: null,
});
