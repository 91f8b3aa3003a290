/** Runs one operation of the mix: a call on /rpc, or a call in this VU's MCP session (opened on first use). */
import type { JsonRpcConfig } from './jsonrpc-config.ts';
import { mcpCall, mcpOpen, rpcCall, type CallOutcome, type McpSession } from './jsonrpc-client.ts';
import * as m from './jsonrpc-metrics.ts';
import type { MixEntry } from './jsonrpc-mix.ts';

type Tags = Record<string, string>;

/** This VU's MCP session, kept across iterations (a real client keeps its session). */
let session: McpSession | null = null;

/** MCP's "Session not found": the server forgot the session (restart, idle expiry); open a new one next time. */
const SESSION_NOT_FOUND = -32001;

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Arguments of a cacheable tool call: one of `cacheKeys` distinct compute sizes. */
function cachedComputeArgs(cfg: JsonRpcConfig): { name: string; arguments: { iterations: number } } {
  return { name: 'compute', arguments: { iterations: cfg.computeIterations + Math.floor(Math.random() * cfg.cacheKeys) } };
}

/** Checks a tool result's structured content and records whether it came from the cache. */
function toolResultCheck(expectIterations: number, tags: Tags): (r: unknown) => boolean {
  return (r) => {
    if (!isRecord(r) || r.isError === true || !isRecord(r.structuredContent)) return false;
    const meta = isRecord(r._meta) ? r._meta['tidemark/cache'] : undefined;
    if (meta === 'hit' || meta === 'miss') m.cacheHits.add(meta === 'hit', tags);
    return r.structuredContent.iterations === expectIterations;
  };
}

/** This VU's session, opened now if needed; null when the handshake failed (already counted as an error). */
function ensureSession(cfg: JsonRpcConfig, tags: Tags): McpSession | null {
  session ??= mcpOpen(cfg.baseUrl, { tags, timeout: cfg.timeout });
  return session;
}

/** Forgets the session when the server no longer knows it. */
function watchSession(outcome: CallOutcome): CallOutcome {
  if (outcome.error?.code === SESSION_NOT_FOUND) session = null;
  return outcome;
}

/** Runs `entry` once; true when it succeeded. */
export function runOperation(entry: MixEntry, cfg: JsonRpcConfig, tags: Tags = {}): boolean {
  const base = { tags, timeout: cfg.timeout };
  switch (entry.op) {
    case 'echo':
      return rpcCall(cfg.baseUrl, 'echo', { message: 'hello' }, { ...base, check: (r) => isRecord(r) && r.message === 'hello' }).ok;
    case 'compute': {
      const n = cfg.computeIterations;
      return rpcCall(cfg.baseUrl, 'compute', [n], { ...base, check: (r) => isRecord(r) && r.iterations === n }).ok;
    }
    case 'sleep':
      return rpcCall(cfg.baseUrl, 'sleep', { ms: cfg.sleepMs }, { ...base, check: (r) => isRecord(r) && r.sleptMs === cfg.sleepMs }).ok;
    case 'tools/list':
      return rpcCall(cfg.baseUrl, 'tools/list', undefined, { ...base, check: (r) => isRecord(r) && Array.isArray(r.tools) && r.tools.length >= 3 }).ok;
    case 'tools/call': {
      const params = cachedComputeArgs(cfg);
      return rpcCall(cfg.baseUrl, 'tools/call', params, { ...base, check: toolResultCheck(params.arguments.iterations, tags) }).ok;
    }
    case 'mcp': {
      const s = ensureSession(cfg, tags);
      if (s === null) return false;
      const params = cachedComputeArgs(cfg);
      return watchSession(mcpCall(s, 'tools/call', params, { ...base, check: toolResultCheck(params.arguments.iterations, tags) })).ok;
    }
    case 'mcp-progress': {
      const s = ensureSession(cfg, tags);
      if (s === null) return false;
      const token = `p${Math.random().toString(36).slice(2)}`;
      const steps = cfg.progressSteps;
      const ms = cfg.sleepMs;
      const params = { name: 'sleep', arguments: { ms, steps }, _meta: { progressToken: token } };
      const outcome = watchSession(mcpCall(s, 'tools/call', params, { ...base, check: (r) => isRecord(r) && isRecord(r.structuredContent) && r.structuredContent.sleptMs === ms }));
      if (!outcome.ok) return false;
      const seen = new Set<unknown>();
      for (const n of outcome.notifications) {
        if (n.method === 'notifications/progress' && n.params?.progressToken === token) seen.add(n.params.progress);
      }
      m.mcpProgress.add(seen.size, tags);
      // Added even when 0 so the metric (and its threshold) always exists in the summary.
      m.mcpProgressGaps.add(Math.max(0, steps - seen.size), tags);
      return true;
    }
  }
}
