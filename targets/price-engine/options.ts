/** Settings of the price engine: defaults, and the `TIDEMARK_PE_*` environment variables that override them. */
import { readIntOptions, type EnvOptionSpec } from '../common/env-options.ts';
import { faultsFromEnv, type FaultConfig } from '../common/faults.ts';

export const PE_DEFAULTS = {
  /** Largest `POST /ticks` body, bytes. */
  maxBodyBytes: 1024 * 1024,
  /** Largest WebSocket message, bytes (bigger ones close the socket with 1009). */
  maxMessageBytes: 1024 * 1024,
  /** Most ticks in one batch (a POST body or a WebSocket message). */
  maxBatchTicks: 1000,
  /** Distinct symbols the engine tracks; ticks for further new symbols are rejected. */
  maxSymbols: 10_000,
  /** Concurrent quote subscribers (`GET /quotes` streams). */
  maxSubscribers: 10_000,
  /** Concurrent WebSocket tick sessions. */
  maxWsSessions: 1000,
  /** Symbols one subscription may name. */
  maxSubscriptionSymbols: 100,
  /** A subscriber whose unsent bytes exceed this is disconnected (slow consumer). */
  maxBufferedBytes: 1024 * 1024,
  /** VWAP window, ms of engine time. */
  vwapWindowMs: 10_000,
  /** Most ticks a symbol's VWAP window holds (bounds memory per symbol). */
  vwapMaxTicks: 1024,
  /** `: hb` comment interval on quote streams, ms. */
  heartbeatMs: 15_000,
} as const;

export type NumericOption = keyof typeof PE_DEFAULTS;

/** Every setting of one engine. */
export type PriceEngineOptions = Record<NumericOption, number> & {
  /** Fault knobs. Default: read once from the `TIDEMARK_FAULT_*` variables. */
  faults: FaultConfig;
  /** Uniform [0,1) source for the error and drop faults. Default `Math.random`. */
  random: () => number;
};

const SPECS: Record<NumericOption, EnvOptionSpec> = {
  maxBodyBytes: { name: 'TIDEMARK_PE_MAX_BODY_BYTES', min: 1024, max: 64 * 1024 * 1024 },
  maxMessageBytes: { name: 'TIDEMARK_PE_MAX_MESSAGE_BYTES', min: 1024, max: 64 * 1024 * 1024 },
  maxBatchTicks: { name: 'TIDEMARK_PE_MAX_BATCH', min: 1, max: 100_000 },
  maxSymbols: { name: 'TIDEMARK_PE_MAX_SYMBOLS', min: 1, max: 1_000_000 },
  maxSubscribers: { name: 'TIDEMARK_PE_MAX_SUBSCRIBERS', min: 1, max: 1_000_000 },
  maxWsSessions: { name: 'TIDEMARK_PE_MAX_WS', min: 1, max: 100_000 },
  maxSubscriptionSymbols: { name: 'TIDEMARK_PE_MAX_SUB_SYMBOLS', min: 1, max: 10_000 },
  maxBufferedBytes: { name: 'TIDEMARK_PE_MAX_BUFFERED_BYTES', min: 1024, max: 1024 ** 3 },
  vwapWindowMs: { name: 'TIDEMARK_PE_VWAP_WINDOW_MS', min: 1, max: 3_600_000 },
  vwapMaxTicks: { name: 'TIDEMARK_PE_VWAP_MAX_TICKS', min: 1, max: 1_000_000 },
  heartbeatMs: { name: 'TIDEMARK_PE_HEARTBEAT_MS', min: 10, max: 3_600_000 },
};

/** The environment variable behind an option, for messages ("raise it with ..."). */
export function envName(option: NumericOption): string {
  return SPECS[option].name;
}

/**
 * Reads the `TIDEMARK_PE_*` and `TIDEMARK_FAULT_*` variables; unset ones keep their default.
 * @throws Error naming the variable when a value is not an integer in range
 */
export function peOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): PriceEngineOptions {
  return { ...readIntOptions(PE_DEFAULTS, SPECS, env), faults: faultsFromEnv(), random: Math.random };
}
