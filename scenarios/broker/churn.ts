/**
 * Broker churn: each topic's subscribers hold durable subscriptions and reconnect every ~BROKER_CHURN_HOLD_MS
 * (0.5x..1.5x) while publishing continues; each reconnect resumes the subscription and must receive what was
 * published or left unacked meanwhile. Lost must be 0; duplicates (unacked deliveries redelivered after a
 * resume) are expected under at-least-once and reported. Always in ack mode.
 * Env: as broker/sustained (BROKER_ACK ignored), plus BROKER_CHURN_HOLD_MS (default 500), BROKER_RESUME_P95_MS (default 200).
 */
import type { Options } from 'k6/options';
import { envNumber } from '../lib/env.ts';
import { brokerConfig, brokerThresholds, connectionCount } from '../lib/broker-config.ts';
import { runChurn } from '../lib/broker-churn.ts';
import { constantSchedule } from '../lib/broker-schedule.ts';
import { SUMMARY_TREND_STATS, makeHandleSummary } from '../lib/summary.ts';

const cfg = brokerConfig({ topics: 2, rate: 100, e2eP99Ms: 250 });
const holdMs = envNumber('BROKER_CHURN_HOLD_MS', 500, { min: 10, max: 3_600_000 });
const resumeP95Ms = envNumber('BROKER_RESUME_P95_MS', 200, { min: 0 });

export const options: Options = {
  scenarios: {
    churn: {
      executor: 'per-vu-iterations',
      vus: cfg.topics,
      iterations: 1,
      maxDuration: `${Math.ceil(cfg.durationS + cfg.drainS + 30)}s`,
    },
  },
  thresholds: { ...brokerThresholds(cfg), broker_resume_time: [`p(95)<${resumeP95Ms}`] },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export default function (): void {
  runChurn({ cfg, schedule: constantSchedule(cfg.rate, cfg.durationS), holdMs });
}

export const handleSummary = makeHandleSummary({
  scenario: 'broker/churn',
  target: 'broker',
  profile: 'churn',
  latencyMetric: 'broker_resume_time',
  unit: 'messages',
  rateMetric: 'broker_delivered',
  expectedMetric: 'broker_delivered_expected',
  askedRate: null,
  durationS: cfg.durationS,
  errorMetric: 'tidemark_errors',
  connections: connectionCount(cfg),
});
