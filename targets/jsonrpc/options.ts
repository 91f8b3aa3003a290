/** Settings of the JSON-RPC/MCP target: defaults, and the `TIDEMARK_JSONRPC_*` variables that override them. */
import { readIntOptions, type EnvOptionSpec } from '../common/env-options.ts';
import { faultsFromEnv, type FaultConfig } from '../common/faults.ts';

/** Every setting of one JSON-RPC/MCP server. */
export interface JsonRpcOptions {
  /** Largest request body on `/rpc` and `/mcp`, bytes; larger is answered 413. Env `TIDEMARK_JSONRPC_MAX_BODY_BYTES`. Default 1 MiB. */
  maxBodyBytes: number;
  /** Most calls in one batch array; more is answered -32600. Env `TIDEMARK_JSONRPC_MAX_BATCH`. Default 100 (the MCP SDK's own cap). */
  maxBatch: number;
  /** Concurrent MCP sessions; one more `initialize` is answered 503. Env `TIDEMARK_JSONRPC_MAX_SESSIONS`. Default 5000. */
  maxSessions: number;
  /** An MCP session without a request for this long is closed, ms. Env `TIDEMARK_JSONRPC_SESSION_IDLE_MS`. Default 300000. */
  sessionIdleMs: number;
  /** Longest `sleep`, ms. Env `TIDEMARK_JSONRPC_MAX_SLEEP_MS`. Default 10000. */
  maxSleepMs: number;
  /** Most `compute` iterations per call. Env `TIDEMARK_JSONRPC_MAX_ITERATIONS`. Default 10000000 (about 10 ms). */
  maxIterations: number;
  /** Entries kept in the `tools/call` result cache (LRU; 0 disables it). Env `TIDEMARK_JSONRPC_CACHE_ENTRIES`. Default 10000. */
  cacheEntries: number;
  /** Fault knobs. Default: read once from the `TIDEMARK_FAULT_*` variables. */
  faults: FaultConfig;
  /** Uniform [0,1) source for the error and drop faults. Default `Math.random`. */
  random: () => number;
}

export const JSONRPC_DEFAULTS = {
  maxBodyBytes: 1024 * 1024,
  maxBatch: 100,
  maxSessions: 5000,
  sessionIdleMs: 300_000,
  maxSleepMs: 10_000,
  maxIterations: 10_000_000,
  cacheEntries: 10_000,
} as const;

type NumericOption = keyof typeof JSONRPC_DEFAULTS;

/** Variable name, minimum and maximum of each numeric option. */
const ENV: Record<NumericOption, [name: string, min: number, max: number]> = {
  maxBodyBytes: ['TIDEMARK_JSONRPC_MAX_BODY_BYTES', 64, 256 * 1024 * 1024],
  maxBatch: ['TIDEMARK_JSONRPC_MAX_BATCH', 1, 100_000],
  maxSessions: ['TIDEMARK_JSONRPC_MAX_SESSIONS', 1, 1_000_000],
  sessionIdleMs: ['TIDEMARK_JSONRPC_SESSION_IDLE_MS', 100, 86_400_000],
  maxSleepMs: ['TIDEMARK_JSONRPC_MAX_SLEEP_MS', 0, 600_000],
  maxIterations: ['TIDEMARK_JSONRPC_MAX_ITERATIONS', 0, 1_000_000_000],
  cacheEntries: ['TIDEMARK_JSONRPC_CACHE_ENTRIES', 0, 10_000_000],
};

/** The environment variable behind each option, for messages ("raise it with ..."). */
export function envName(option: NumericOption): string {
  return ENV[option][0];
}

/**
 * Reads the `TIDEMARK_JSONRPC_*` and `TIDEMARK_FAULT_*` variables; unset ones keep their default.
 * @throws Error naming the variable when a value is not an integer in range
 */
export function jsonRpcOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): JsonRpcOptions {
  const specs = Object.fromEntries(
    Object.entries(ENV).map(([key, [name, min, max]]) => [key, { name, min, max }]),
  ) as Record<NumericOption, EnvOptionSpec>;
  return { ...readIntOptions<NumericOption>(JSONRPC_DEFAULTS, specs, env), faults: faultsFromEnv(), random: Math.random };
}
