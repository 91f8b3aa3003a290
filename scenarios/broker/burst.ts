/**
 * Broker burst: publishers run at BROKER_RATE, jump to 10x within seconds, hold, and drop back (open model:
 * the schedule never waits for the broker). Subscribers fall behind during the spike; the backlog drain time
 * (end of the spike until a subscriber holds every message published before it) and the lag are measured.
 * Latency and lag samples are tagged `phase` (pre, spike, recovery) by the message's publish time.
 * Env: as broker/sustained, plus BROKER_DRAIN_BUDGET_MS (max drain time, default 5000).
 */
import type { Options } from 'k6/options';
import { envNumber } from '../lib/env.ts';
import { brokerConfig, brokerThresholds, connectionCount } from '../lib/broker-config.ts';
import { burstShape } from '../lib/phases.ts';
import { burstSchedule, phaseAt, spikeEndS } from '../lib/broker-schedule.ts';
import { runTopic } from '../lib/broker-topic.ts';
import { SUMMARY_TREND_STATS, makeHandleSummary } from '../lib/summary.ts';

const cfg = brokerConfig({ rate: 50, durationS: 20, e2eP99Ms: 1000, drainS: 15 });
const drainBudgetMs = envNumber('BROKER_DRAIN_BUDGET_MS', 5000, { min: 0 });
const shape = burstShape(cfg.durationS);
const schedule = burstSchedule(shape, cfg.rate);

export const options: Options = {
  scenarios: {
    burst: {
      executor: 'per-vu-iterations',
      vus: cfg.topics,
      iterations: 1,
      maxDuration: `${Math.ceil(schedule.durationS + cfg.drainS + 30)}s`,
    },
  },
  thresholds: {
    ...brokerThresholds(cfg),
    // Per phase (k6 reports tagged sub-metrics only when they have thresholds): latency must come back after the spike.
    'broker_e2e_latency{phase:pre}': [`p(99)<${cfg.e2eP99Ms}`],
    'broker_e2e_latency{phase:spike}': [`p(99)<${cfg.e2eP99Ms}`],
    'broker_e2e_latency{phase:recovery}': [`p(99)<${cfg.e2eP99Ms}`],
    broker_out_of_order: ['count==0'],
    broker_backlog_drain: [`max<${drainBudgetMs}`],
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export default function (): void {
  runTopic({
    cfg,
    schedule,
    kind: 'burst',
    tagsAt: (s) => ({ phase: phaseAt(shape, s) }),
    spikeEndS: spikeEndS(shape),
    lagSampleMs: 100,
  });
}

export const handleSummary = makeHandleSummary({
  scenario: 'broker/burst',
  target: 'broker',
  profile: 'burst',
  latencyMetric: 'broker_e2e_latency',
  unit: 'messages',
  rateMetric: 'broker_delivered',
  expectedMetric: 'broker_delivered_expected',
  askedRate: null,
  durationS: schedule.durationS,
  errorMetric: 'tidemark_errors',
  connections: connectionCount(cfg),
});
