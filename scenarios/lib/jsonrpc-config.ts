/** JSON-RPC/MCP scenario settings from the environment, with defaults sized for CI on 2 cores shared with k6. */
import { envDurationS, envNumber, envString, targetUrl } from './env.ts';
import { parseMix, type Mix } from './jsonrpc-mix.ts';

export interface JsonRpcConfig {
  /** Target base URL (`TARGET_URL`, default http://127.0.0.1:8082). */
  baseUrl: string;
  /** Load-phase length (`TIDEMARK_DURATION`, default per profile). */
  durationS: number;
  /** Calls per second at steady state (`JSONRPC_RATE`, default per profile). */
  rate: number;
  /** Weighted operations (`JSONRPC_MIX`, default {@link DEFAULT_MIX}). */
  mix: Mix;
  /** Iterations of a `compute` call (`JSONRPC_COMPUTE_ITERATIONS`, default 20000, about 20 µs). */
  computeIterations: number;
  /** Length of a `sleep` call, ms (`JSONRPC_SLEEP_MS`, default 5). */
  sleepMs: number;
  /** Distinct arguments of cached `tools/call`s (`JSONRPC_CACHE_KEYS`, default 50): fewer keys, more hits. */
  cacheKeys: number;
  /** Progress notifications asked of an `mcp-progress` call (`JSONRPC_PROGRESS_STEPS`, default 4). */
  progressSteps: number;
  /** p95 budget of tool calls, ms (`JSONRPC_TOOL_P95_MS`, default 100). */
  toolP95Ms: number;
  /** Per-request timeout (`JSONRPC_TIMEOUT`, default 10s). */
  timeout: string;
  /** MCP sessions opened in setup and shared by the VUs (`JSONRPC_MCP_SESSIONS`, default 8). */
  mcpSessions: number;
  /** Calls made in setup, unmeasured, to warm the target's JIT up (`JSONRPC_WARMUP_CALLS`, default 500). */
  warmupCalls: number;
}

/**
 * The default mix: mostly cheap calls, a share of CPU work and of latency, cached tool calls,
 * and MCP calls (plain and with progress) over a session each VU keeps.
 */
export const DEFAULT_MIX = 'echo=25,compute=10,sleep=10,tools/list=5,tools/call=30,mcp=15,mcp-progress=5';

export function jsonRpcConfig(defaults: { rate?: number; durationS?: number; mix?: string } = {}): JsonRpcConfig {
  return {
    baseUrl: targetUrl('http://127.0.0.1:8082'),
    durationS: envDurationS('TIDEMARK_DURATION', `${defaults.durationS ?? 15}s`),
    rate: envNumber('JSONRPC_RATE', defaults.rate ?? 200, { min: 0.1, max: 1_000_000 }),
    mix: parseMix(envString('JSONRPC_MIX', defaults.mix ?? DEFAULT_MIX)),
    computeIterations: envNumber('JSONRPC_COMPUTE_ITERATIONS', 20_000, { min: 0, max: 10_000_000, integer: true }),
    sleepMs: envNumber('JSONRPC_SLEEP_MS', 5, { min: 0, max: 10_000 }),
    cacheKeys: envNumber('JSONRPC_CACHE_KEYS', 50, { min: 1, max: 1_000_000, integer: true }),
    progressSteps: envNumber('JSONRPC_PROGRESS_STEPS', 4, { min: 1, max: 100, integer: true }),
    toolP95Ms: envNumber('JSONRPC_TOOL_P95_MS', 100, { min: 0 }),
    timeout: envString('JSONRPC_TIMEOUT', '10s'),
    mcpSessions: envNumber('JSONRPC_MCP_SESSIONS', 8, { min: 1, max: 100_000, integer: true }),
    warmupCalls: envNumber('JSONRPC_WARMUP_CALLS', 500, { min: 0, max: 1_000_000, integer: true }),
  };
}

/**
 * Thresholds every JSON-RPC profile shares: errors < 1%, p95 of each tool method in the mix under budget,
 * no lost progress notification, some cache hits.
 * @param extraTags narrows the latency budgets, e.g. `,phase:recovery` (default: all samples)
 */
export function jsonRpcThresholds(cfg: JsonRpcConfig, extraTags = ''): Record<string, string[]> {
  const thresholds: Record<string, string[]> = { tidemark_errors: ['rate<0.01'] };
  const methods = new Set(cfg.mix.entries.map((e) => e.method));
  for (const method of methods) {
    if (method === 'tools/list') continue; // not a tool call
    thresholds[`rpc_latency{method:${method}${extraTags}}`] = [`p(95)<${cfg.toolP95Ms}`];
  }
  if (cfg.mix.entries.some((e) => e.op === 'mcp-progress')) thresholds.mcp_progress_gaps = ['count==0'];
  if (cfg.mix.entries.some((e) => e.op === 'tools/call' || e.op === 'mcp')) thresholds.rpc_cache_hits = ['rate>0'];
  return thresholds;
}
