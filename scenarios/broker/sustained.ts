/**
 * Broker sustained: BROKER_TOPICS topics (one per VU), each with BROKER_PUBLISHERS publishers at BROKER_RATE
 * messages/s and BROKER_SUBSCRIBERS subscribers that each get every message, for the whole duration.
 * Every confirmed message is accounted for per subscriber: lost, duplicated and out-of-order deliveries
 * are counted, not inferred. Measures end-to-end and publish-to-confirm latency, ack latency, throughput.
 * Env: TARGET_URL, BROKER_TOPICS, BROKER_PUBLISHERS, BROKER_SUBSCRIBERS, BROKER_RATE, BROKER_SIZE, BROKER_ACK,
 * BROKER_CID, BROKER_PREFETCH, BROKER_RECEIPT_EVERY, BROKER_E2E_P99_MS, BROKER_DRAIN_S, TIDEMARK_DURATION.
 */
import type { Options } from 'k6/options';
import { brokerConfig, brokerThresholds, connectionCount } from '../lib/broker-config.ts';
import { constantSchedule } from '../lib/broker-schedule.ts';
import { runTopic } from '../lib/broker-topic.ts';
import { SUMMARY_TREND_STATS, makeHandleSummary } from '../lib/summary.ts';

const cfg = brokerConfig();

export const options: Options = {
  scenarios: {
    sustained: {
      // One iteration per VU that runs its topic for the duration: the connections are the load.
      executor: 'per-vu-iterations',
      vus: cfg.topics,
      iterations: 1,
      maxDuration: `${Math.ceil(cfg.durationS + cfg.drainS + 30)}s`,
    },
  },
  // With prompt acks nothing is redelivered and a private subscription delivers in seq order.
  thresholds: { ...brokerThresholds(cfg), broker_out_of_order: ['count==0'], broker_duplicates: ['count==0'] },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export default function (): void {
  runTopic({ cfg, schedule: constantSchedule(cfg.rate, cfg.durationS), kind: 'sustained' });
}

export const handleSummary = makeHandleSummary({
  scenario: 'broker/sustained',
  target: 'broker',
  profile: 'sustained',
  latencyMetric: 'broker_e2e_latency',
  unit: 'messages',
  rateMetric: 'broker_delivered',
  expectedMetric: 'broker_delivered_expected',
  askedRate: null,
  durationS: cfg.durationS,
  errorMetric: 'tidemark_errors',
  connections: connectionCount(cfg),
});
