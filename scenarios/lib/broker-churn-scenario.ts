/**
 * The broker churn scenario, shared by `broker/churn` and `broker/soak`: durable subscribers reconnect every
 * ~BROKER_CHURN_HOLD_MS while publishing continues, and each resume must receive what it missed.
 */
import type { Options } from 'k6/options';
import { envNumber } from './env.ts';
import { brokerConfig, brokerThresholds, connectionCount } from './broker-config.ts';
import { runChurn } from './broker-churn.ts';
import { constantSchedule } from './broker-schedule.ts';
import { SUMMARY_TREND_STATS, makeHandleSummary } from './summary.ts';

/** What differs between the profiles built on this shape. */
export interface BrokerChurnProfile {
  /** Profile name in the scenario name `broker/<profile>`. */
  profile: 'churn' | 'soak';
  /** Default publish-phase length in seconds (`TIDEMARK_DURATION` overrides). */
  durationS: number;
  /** Default messages per second per publisher (`BROKER_RATE` overrides). */
  rate: number;
}

/** The k6 exports of a churn-shaped broker scenario. */
export function brokerChurn(profile: BrokerChurnProfile): {
  options: Options;
  iteration: () => void;
  handleSummary: ReturnType<typeof makeHandleSummary>;
} {
  const cfg = brokerConfig({ topics: 2, rate: profile.rate, e2eP99Ms: 250, durationS: profile.durationS });
  const holdMs = envNumber('BROKER_CHURN_HOLD_MS', 500, { min: 10, max: 3_600_000 });
  const resumeP95Ms = envNumber('BROKER_RESUME_P95_MS', 200, { min: 0 });

  const options: Options = {
    scenarios: {
      [profile.profile]: {
        executor: 'per-vu-iterations',
        vus: cfg.topics,
        iterations: 1,
        maxDuration: `${Math.ceil(cfg.durationS + cfg.drainS + 30)}s`,
      },
    },
    thresholds: { ...brokerThresholds(cfg), broker_resume_time: [`p(95)<${resumeP95Ms}`] },
    summaryTrendStats: SUMMARY_TREND_STATS,
  };

  const handleSummary = makeHandleSummary({
    scenario: `broker/${profile.profile}`,
    target: 'broker',
    profile: profile.profile,
    latencyMetric: 'broker_resume_time',
    unit: 'messages',
    rateMetric: 'broker_delivered',
    expectedMetric: 'broker_delivered_expected',
    askedRate: null,
    durationS: cfg.durationS,
    errorMetric: 'tidemark_errors',
    connections: connectionCount(cfg),
  });

  return { options, iteration: () => runChurn({ cfg, schedule: constantSchedule(cfg.rate, cfg.durationS), holdMs }), handleSummary };
}
