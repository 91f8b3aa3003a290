/**
 * Runs one operation of the mix: a call on /rpc, or a call in one of the MCP sessions the scenario's
 * setup opened. Sessions are shared by the VUs (requests of one session run concurrently, as MCP allows),
 * so the handshakes happen before the measured load and the target holds a known number of sessions.
 */
import type { JsonRpcConfig } from './jsonrpc-config.ts';
import { mcpCall, mcpDelete, mcpOpen, rpcCall, type McpSession } from './jsonrpc-client.ts';
import * as m from './jsonrpc-metrics.ts';
import { pick, type MixEntry } from './jsonrpc-mix.ts';
import { verdict } from './verdict.ts';

type Tags = Record<string, string>;

/** What setup() hands to the iterations. */
export interface SharedSessions {
  sessions: McpSession[];
}

/** Opens `count` sessions when the mix has MCP operations (none otherwise); throws when a handshake fails. */
export function openSharedSessions(cfg: JsonRpcConfig, count: number): SharedSessions {
  const needed = cfg.mix.entries.some((e) => e.op === 'mcp' || e.op === 'mcp-progress');
  const sessions: McpSession[] = [];
  for (let i = 0; needed && i < count; i++) {
    const s = mcpOpen(cfg.baseUrl, { timeout: cfg.timeout, tags: { stage: 'setup' } });
    if (s === null) throw new Error(`MCP initialize on ${cfg.baseUrl}/mcp failed: is the target a Tidemark jsonrpc target (or any MCP Streamable HTTP server)?`);
    sessions.push(s);
  }
  return { sessions };
}

/**
 * Warms the target up before the measured load (setup): `calls` operations drawn from the mix, one
 * after another, recording no metric, so the JIT has compiled the hot paths when the load starts.
 * A cold target answers its first hundreds of calls several times slower; under an open model that
 * backlog piles up VUs and concurrency, and the run measures the warm-up, not the target.
 */
export function warmUp(cfg: JsonRpcConfig, shared: SharedSessions, calls: number): void {
  for (let i = 0; i < calls; i++) runOperation(pick(cfg.mix), cfg, shared, {}, true);
}

/** The `setup` of the mixed-load profiles: `cfg.mcpSessions` shared sessions, then the warm-up calls. */
export function openWarmSessions(cfg: JsonRpcConfig): SharedSessions {
  const shared = openSharedSessions(cfg, cfg.mcpSessions);
  warmUp(cfg, shared, cfg.warmupCalls);
  return shared;
}

/** Deletes the shared sessions (teardown). */
export function closeSharedSessions(shared: SharedSessions | undefined): void {
  for (const s of shared?.sessions ?? []) mcpDelete(s, { tags: { stage: 'teardown' } });
}

/** The session this VU uses: VUs spread evenly over the shared sessions. */
function sessionFor(shared: SharedSessions): McpSession | null {
  const all = shared.sessions;
  return all.length === 0 ? null : all[__VU % all.length]!;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Arguments of a cacheable tool call: one of `cacheKeys` distinct compute sizes. */
function cachedComputeArgs(cfg: JsonRpcConfig): { name: string; arguments: { iterations: number } } {
  return { name: 'compute', arguments: { iterations: cfg.computeIterations + Math.floor(Math.random() * cfg.cacheKeys) } };
}

/** Checks a tool result's structured content and records whether it came from the cache. */
function toolResultCheck(expectIterations: number, tags: Tags, silent: boolean): (r: unknown) => boolean {
  return (r) => {
    if (!isRecord(r) || r.isError === true || !isRecord(r.structuredContent)) return false;
    const meta = isRecord(r._meta) ? r._meta['tidemark/cache'] : undefined;
    if (!silent && (meta === 'hit' || meta === 'miss')) m.cacheHits.add(meta === 'hit', tags);
    return r.structuredContent.iterations === expectIterations;
  };
}

/** An MCP operation without a session (setup opened none): a failure, counted. */
function noSession(tags: Tags): false {
  verdict(m.errors, 'MCP session open', false, { ...tags, method: 'tools/call', api: 'mcp' });
  return false;
}

/**
 * Runs `entry` once; true when it succeeded.
 * @param shared sessions from setup() (MCP operations fail, counted, when there are none)
 * @param tags added to every sample (default none)
 * @param silent record no metric (warm-up); default false
 */
export function runOperation(entry: MixEntry, cfg: JsonRpcConfig, shared: SharedSessions, tags: Tags = {}, silent = false): boolean {
  const base = { tags, timeout: cfg.timeout, silent };
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
      return rpcCall(cfg.baseUrl, 'tools/call', params, { ...base, check: toolResultCheck(params.arguments.iterations, tags, silent) }).ok;
    }
    case 'mcp': {
      const s = sessionFor(shared);
      if (s === null) return noSession(tags);
      const params = cachedComputeArgs(cfg);
      return mcpCall(s, 'tools/call', params, { ...base, check: toolResultCheck(params.arguments.iterations, tags, silent) }).ok;
    }
    case 'mcp-progress': {
      const s = sessionFor(shared);
      if (s === null) return noSession(tags);
      const token = `p${Math.random().toString(36).slice(2)}`;
      const steps = cfg.progressSteps;
      const ms = cfg.sleepMs;
      const params = { name: 'sleep', arguments: { ms, steps }, _meta: { progressToken: token } };
      const outcome = mcpCall(s, 'tools/call', params, { ...base, check: (r) => isRecord(r) && isRecord(r.structuredContent) && r.structuredContent.sleptMs === ms });
      if (!outcome.ok || silent) return outcome.ok;
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
