/** Settings of the broker target: defaults, and the `TIDEMARK_BROKER_*` variables that override them. */
import { readIntOptions, type EnvOptionSpec } from '../common/env-options.ts';
import { faultsFromEnv, type FaultConfig } from '../common/faults.ts';
import { MEMORY_DEFAULTS } from './memory/backend.ts';

export const BROKER_DEFAULTS = {
  /** Concurrent WebSocket connections. */
  maxConnections: 10_000,
  /** Largest client frame answered normally; bigger ones get a `too_large` error frame. */
  maxFrameBytes: 64 * 1024,
  /** Subscriptions one connection may hold. */
  maxSubscriptions: 100,
  /** Unsent bytes above which deliveries to a connection pause; 8x this disconnects it (a client not reading its confirms). */
  maxBufferedBytes: 1024 * 1024,
  /** Prefetch of a subscribe that gives none: unacked deliveries outstanding per consumer. */
  prefetch: 1000,
  /** Ack timeout of a subscribe that gives none, ms. */
  ackTimeoutMs: 30_000,
  ...MEMORY_DEFAULTS,
} as const;

export type NumericOption = Exclude<keyof typeof BROKER_DEFAULTS, 'scanMs'>;

/** Every setting of one broker. */
export type BrokerOptions = Record<NumericOption | 'scanMs', number> & {
  /** Fault knobs. Default: read once from the `TIDEMARK_FAULT_*` variables. */
  faults: FaultConfig;
  /** Uniform [0,1) source for the error and drop faults. Default `Math.random`. */
  random: () => number;
};

const SPECS: Record<NumericOption, EnvOptionSpec> = {
  maxConnections: { name: 'TIDEMARK_BROKER_MAX_CONNECTIONS', min: 1, max: 1_000_000 },
  maxFrameBytes: { name: 'TIDEMARK_BROKER_MAX_FRAME_BYTES', min: 256, max: 16 * 1024 * 1024 },
  maxSubscriptions: { name: 'TIDEMARK_BROKER_MAX_SUBSCRIPTIONS', min: 1, max: 100_000 },
  maxBufferedBytes: { name: 'TIDEMARK_BROKER_MAX_BUFFERED_BYTES', min: 1024, max: 1024 ** 3 },
  prefetch: { name: 'TIDEMARK_BROKER_PREFETCH', min: 1, max: 65_536 },
  ackTimeoutMs: { name: 'TIDEMARK_BROKER_ACK_TIMEOUT_MS', min: 10, max: 3_600_000 },
  maxBacklog: { name: 'TIDEMARK_BROKER_MAX_BACKLOG', min: 1, max: 100_000_000 },
  maxBacklogBytes: { name: 'TIDEMARK_BROKER_MAX_BACKLOG_BYTES', min: 1024, max: 16 * 1024 ** 3 },
  maxTopics: { name: 'TIDEMARK_BROKER_MAX_TOPICS', min: 1, max: 1_000_000 },
  maxDurable: { name: 'TIDEMARK_BROKER_MAX_DURABLE', min: 0, max: 1_000_000 },
  durableTtlMs: { name: 'TIDEMARK_BROKER_DURABLE_TTL_MS', min: 1, max: 86_400_000 },
  topicIdleMs: { name: 'TIDEMARK_BROKER_TOPIC_IDLE_MS', min: 0, max: 86_400_000 },
};

/** The environment variable behind an option, for messages ("raise it with ..."). */
export function envName(option: NumericOption): string {
  return SPECS[option].name;
}

/** Every variable with its default, for `--help` and the README. */
export function describeEnv(): string[] {
  return (Object.keys(SPECS) as NumericOption[]).map((k) => `${SPECS[k].name} (${BROKER_DEFAULTS[k]})`);
}

/**
 * Reads the `TIDEMARK_BROKER_*` and `TIDEMARK_FAULT_*` variables; unset ones keep their default.
 * @throws Error naming the variable when a value is not an integer in range
 */
export function brokerOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): BrokerOptions {
  return { ...BROKER_DEFAULTS, ...readIntOptions<NumericOption>(BROKER_DEFAULTS, SPECS, env), faults: faultsFromEnv(), random: Math.random };
}
