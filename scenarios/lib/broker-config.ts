/** Broker scenario settings from the environment, with defaults sized for CI on 2 cores shared with the target. */
import { envDurationS, envNumber, envString, targetUrl } from './env.ts';
import { WARMUP_MS } from './warmup.ts';
import { brokerBackend, requireFeature } from './broker-backends.ts';

export interface BrokerConfig {
  /** WebSocket URL: `TARGET_URL` (default http://127.0.0.1:8083) with ws:// and `/ws`. */
  wsUrl: string;
  /** Topics, one per VU; each has its own publishers and subscribers (`BROKER_TOPICS`, default 4). */
  topics: number;
  /** Publisher connections per topic (`BROKER_PUBLISHERS`, default 1). */
  publishers: number;
  /** Subscriber connections per topic, each getting every message (`BROKER_SUBSCRIBERS`, default 2). */
  subscribers: number;
  /** Messages per second per publisher (`BROKER_RATE`, default 250; burst: the base rate). */
  rate: number;
  /** Payload bytes per message (`BROKER_SIZE`, default 64). */
  size: number;
  /** Manual acks (`BROKER_ACK=1`, default) or no-ack subscriptions (`0`). */
  ack: boolean;
  /** Publish with correlation ids (`BROKER_CID=1`, default) or without (`0`). */
  cid: boolean;
  /** Unacked deliveries outstanding per subscriber (`BROKER_PREFETCH`, default 1000). */
  prefetch: number;
  /**
   * Acks collected for this long go out in one `seqs` frame, ms; 0 sends one frame per delivery
   * (`BROKER_ACK_BATCH_MS`, default 10). Batching is what keeps the broker's cost of acks low.
   */
  ackBatchMs: number;
  /** Every n-th ack frame asks for a receipt, for `broker_ack_latency` (`BROKER_RECEIPT_EVERY`, default 10; 0 = none). */
  receiptEvery: number;
  /** Subscription ack timeout, ms (`BROKER_ACK_TIMEOUT_MS`, default 0 = the broker's own, 30 s). */
  ackTimeoutMs: number;
  /**
   * Leave every n-th first delivery unacked, so the broker redelivers a message the subscriber already has:
   * proves duplicate detection end to end (`BROKER_ACK_SKIP_EVERY`, default 0 = ack everything).
   */
  ackSkipEvery: number;
  /** p99 budget of `broker_e2e_latency`, ms (`BROKER_E2E_P99_MS`, default 50). */
  e2eP99Ms: number;
  /** After publishing, wait up to this long for outstanding deliveries before counting them lost, s (`BROKER_DRAIN_S`, default 5). */
  drainS: number;
  /** Publish phase length (`TIDEMARK_DURATION`, default 15s). */
  durationS: number;
  /** Latency samples of messages published in the first seconds are left out (scenarios/lib/warmup.ts). */
  warmupMs: number;
  /** The broker's backend (`BROKER_BACKEND`, set by the harness's --backend; default memory). */
  backend: string;
}

/** `http://host:port` → `ws://host:port/ws`. */
export function toWsUrl(base: string): string {
  return `${base.replace(/^http/, 'ws')}/ws`;
}

export function brokerConfig(defaults: Partial<Omit<BrokerConfig, 'wsUrl' | 'warmupMs' | 'backend'>> = {}): BrokerConfig {
  const flag = (name: string, fallback: boolean): boolean => envNumber(name, fallback ? 1 : 0, { min: 0, max: 1, integer: true }) === 1;
  const cfg: BrokerConfig = {
    wsUrl: toWsUrl(targetUrl('http://127.0.0.1:8083')),
    topics: envNumber('BROKER_TOPICS', defaults.topics ?? 4, { min: 1, max: 10_000, integer: true }),
    publishers: envNumber('BROKER_PUBLISHERS', defaults.publishers ?? 1, { min: 1, max: 1000, integer: true }),
    subscribers: envNumber('BROKER_SUBSCRIBERS', defaults.subscribers ?? 2, { min: 1, max: 1000, integer: true }),
    rate: envNumber('BROKER_RATE', defaults.rate ?? 250, { min: 0.1, max: 1_000_000 }),
    size: envNumber('BROKER_SIZE', defaults.size ?? 64, { min: 0, max: 60_000, integer: true }),
    ack: flag('BROKER_ACK', defaults.ack ?? true),
    cid: flag('BROKER_CID', defaults.cid ?? true),
    prefetch: envNumber('BROKER_PREFETCH', defaults.prefetch ?? 1000, { min: 1, max: 65_536, integer: true }),
    ackBatchMs: envNumber('BROKER_ACK_BATCH_MS', defaults.ackBatchMs ?? 10, { min: 0, max: 10_000, integer: true }),
    receiptEvery: envNumber('BROKER_RECEIPT_EVERY', defaults.receiptEvery ?? 10, { min: 0, max: 1_000_000, integer: true }),
    ackTimeoutMs: envNumber('BROKER_ACK_TIMEOUT_MS', defaults.ackTimeoutMs ?? 0, { min: 0, max: 3_600_000, integer: true }),
    ackSkipEvery: envNumber('BROKER_ACK_SKIP_EVERY', defaults.ackSkipEvery ?? 0, { min: 0, max: 1_000_000, integer: true }),
    e2eP99Ms: envNumber('BROKER_E2E_P99_MS', defaults.e2eP99Ms ?? 50, { min: 0 }),
    drainS: envNumber('BROKER_DRAIN_S', defaults.drainS ?? 5, { min: 0, max: 3600 }),
    durationS: envDurationS('TIDEMARK_DURATION', `${defaults.durationS ?? 15}s`),
    warmupMs: WARMUP_MS,
    backend: brokerBackend(),
  };
  // Redelivery of a skipped ack and an explicit ack timeout both need the backend's ack timeout.
  if (cfg.ackTimeoutMs > 0) requireFeature(cfg.backend, 'ackTimeoutMs', `BROKER_ACK_TIMEOUT_MS=${cfg.ackTimeoutMs}`);
  if (cfg.ackSkipEvery > 0) requireFeature(cfg.backend, 'ackTimeoutMs', `BROKER_ACK_SKIP_EVERY=${cfg.ackSkipEvery}`);
  return cfg;
}

/** Thresholds every broker scenario shares: nothing lost, errors < 1%, end-to-end p99 budget. */
export function brokerThresholds(cfg: BrokerConfig): Record<string, string[]> {
  return {
    broker_lost: ['count==0'],
    tidemark_errors: ['rate<0.01'],
    broker_e2e_latency: [`p(99)<${cfg.e2eP99Ms}`],
  };
}

/** Connections of a run: every publisher and subscriber of every topic (the unit of memory per connection). */
export function connectionCount(cfg: BrokerConfig): number {
  return cfg.topics * (cfg.publishers + cfg.subscribers);
}
