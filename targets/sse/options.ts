/** Settings of the SSE target: defaults, and the `TIDEMARK_SSE_*` environment variables that override them. */
import { readIntOptions, type EnvOptionSpec } from '../common/env-options.ts';
import { faultsFromEnv, type FaultConfig } from '../common/faults.ts';

/** Every setting of one SSE server. */
export interface SseOptions {
  /** Interval of `: hb` comments on every stream, ms. Env `TIDEMARK_SSE_HEARTBEAT_MS`. Default 15000. */
  heartbeatMs: number;
  /** How long a topic keeps producing after its last subscriber left, ms (lets clients resume). Env `TIDEMARK_SSE_TOPIC_GRACE_MS`. Default 30000. */
  graceMs: number;
  /** Events kept per topic for resume. Env `TIDEMARK_SSE_BUFFER`. Default 10000 (0 disables replay: every resume reports a loss). */
  bufferEvents: number;
  /** Bytes kept per topic for resume, whichever limit is hit first. Env `TIDEMARK_SSE_BUFFER_BYTES`. Default 16 MiB. */
  bufferBytes: number;
  /** Bytes kept for resume by all topics together; a topic pushing over it evicts its own oldest. Env `TIDEMARK_SSE_BUFFER_TOTAL_BYTES`. Default 256 MiB. */
  bufferTotalBytes: number;
  /** Concurrent event streams. Env `TIDEMARK_SSE_MAX_CONNECTIONS`. Default 10000. */
  maxConnections: number;
  /** Concurrent topics (including those in their grace period). Env `TIDEMARK_SSE_MAX_TOPICS`. Default 1000. */
  maxTopics: number;
  /** A client whose unsent bytes exceed this is disconnected (slow consumer). Env `TIDEMARK_SSE_MAX_BUFFERED_BYTES`. Default 1 MiB. */
  maxBufferedBytes: number;
  /** Fault knobs. Default: read once from the `TIDEMARK_FAULT_*` variables. */
  faults: FaultConfig;
  /** Uniform [0,1) source for the error and drop faults. Default `Math.random`. */
  random: () => number;
}

export const SSE_DEFAULTS = {
  heartbeatMs: 15_000,
  graceMs: 30_000,
  bufferEvents: 10_000,
  bufferBytes: 16 * 1024 * 1024,
  bufferTotalBytes: 256 * 1024 * 1024,
  maxConnections: 10_000,
  maxTopics: 1_000,
  maxBufferedBytes: 1024 * 1024,
} as const;

type NumericOption = keyof typeof SSE_DEFAULTS;

/** Variable name, minimum and maximum of each numeric option. */
const ENV: Record<NumericOption, [name: string, min: number, max: number]> = {
  heartbeatMs: ['TIDEMARK_SSE_HEARTBEAT_MS', 10, 3_600_000],
  graceMs: ['TIDEMARK_SSE_TOPIC_GRACE_MS', 0, 3_600_000],
  bufferEvents: ['TIDEMARK_SSE_BUFFER', 0, 10_000_000],
  bufferBytes: ['TIDEMARK_SSE_BUFFER_BYTES', 0, 4 * 1024 ** 3],
  bufferTotalBytes: ['TIDEMARK_SSE_BUFFER_TOTAL_BYTES', 0, 16 * 1024 ** 3],
  maxConnections: ['TIDEMARK_SSE_MAX_CONNECTIONS', 1, 1_000_000],
  maxTopics: ['TIDEMARK_SSE_MAX_TOPICS', 1, 1_000_000],
  maxBufferedBytes: ['TIDEMARK_SSE_MAX_BUFFERED_BYTES', 1024, 1024 ** 3],
};

/** The environment variable behind each option, for messages ("raise it with ..."). */
export function envName(option: NumericOption): string {
  return ENV[option][0];
}

/**
 * Reads the `TIDEMARK_SSE_*` and `TIDEMARK_FAULT_*` variables; unset ones keep their default.
 * @throws Error naming the variable when a value is not an integer in range
 */
export function sseOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): SseOptions {
  const specs = Object.fromEntries(
    Object.entries(ENV).map(([key, [name, min, max]]) => [key, { name, min, max }]),
  ) as Record<NumericOption, EnvOptionSpec>;
  return { ...readIntOptions<NumericOption>(SSE_DEFAULTS, specs, env), faults: faultsFromEnv(), random: Math.random };
}
