/**
 * JSON-RPC 2.0 over HTTP and MCP over Streamable HTTP, for k6 (k6/http): one call, one
 * session handshake, one DELETE. Every call records `rpc_latency` (tagged `method`, `api`),
 * `rpc_calls` when answered, and `tidemark_errors`: an HTTP 200 carrying a JSON-RPC `error`
 * is a failure unless the caller said it expects that code.
 */
import exec from 'k6/execution';
import http from 'k6/http';
import type { RefinedResponse, ResponseType } from 'k6/http';
import { authHeadersFor, forgetAuthHeaders, withAuth } from './auth.ts';
import { WARMUP_MS } from './warmup.ts';
import * as m from './jsonrpc-metrics.ts';
import { verdict } from './verdict.ts';

/** True during the scenario's warm-up (scenarios/lib/warmup.ts: latency samples left out, calls still count); false in setup and teardown (no scenario there). */
function inWarmup(): boolean {
  try {
    return Date.now() - exec.scenario.startTime < WARMUP_MS;
  } catch {
    return false;
  }
}

type Tags = Record<string, string>;

/** What became of one call. */
export interface CallOutcome {
  /** True when answered with a result that passed the check (or the expected error). */
  ok: boolean;
  /** The `result` member, when there was one. */
  result: unknown;
  /** The `error` member, when there was one. */
  error: { code: number; message: string } | undefined;
  /** Server-to-client notifications received before the answer (MCP SSE only). */
  notifications: JsonRpcMessage[];
}

export interface CallOptions {
  /** Tags added to every sample (e.g. `phase`, `step`). Default none. */
  tags?: Tags;
  /** Checks the result; a false return counts as an error. Default: any result passes. */
  check?: (result: unknown) => boolean;
  /** A JSON-RPC error code that is the expected answer (a success for the error metric). Default none. */
  expectError?: number;
  /** Request timeout. Default 10s. */
  timeout?: string;
  /** Count the answer in `rpc_calls` (the scenario's operations); false for handshakes. Default true. */
  countAsCall?: boolean;
  /** Record no metric at all (warm-up calls in setup). Default false. */
  silent?: boolean;
}

/** Any JSON-RPC message (loosely typed: checked field by field). */
export interface JsonRpcMessage {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: { code: number; message: string };
}

const JSON_HEADERS = withAuth({ 'Content-Type': 'application/json' });
const MCP_ACCEPT = 'application/json, text/event-stream';
/** Headers of `initialize`, without auth (the base of every session's headers) and with it (sent). */
const MCP_INIT_BASE: Readonly<Record<string, string>> = { 'Content-Type': 'application/json', Accept: MCP_ACCEPT };
const MCP_INIT_HEADERS = withAuth({ ...MCP_INIT_BASE });
/** MCP protocol version this client speaks (2025-06-18 has no batching; one message per POST). */
export const MCP_PROTOCOL_VERSION = '2025-06-18';

let nextId = 0;

/**
 * A request id unique across VUs (`<VU>-<n>`; VU 0 is setup/teardown): VUs share MCP sessions,
 * and the ids of requests in flight on one session must differ.
 */
function newId(): string {
  nextId += 1;
  return `${__VU}-${nextId}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The JSON-RPC messages of a `text/event-stream` body (each event's `data:` lines joined). */
export function parseSseMessages(body: string): JsonRpcMessage[] {
  const out: JsonRpcMessage[] = [];
  let data: string[] = [];
  const flush = (): void => {
    if (data.length > 0) {
      const msg = parseJson(data.join('\n'));
      if (typeof msg === 'object' && msg !== null) out.push(msg as JsonRpcMessage);
    }
    data = [];
  };
  for (const line of body.split(/\r?\n/)) {
    if (line === '') flush();
    else if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
  }
  flush();
  return out;
}

/** Judges an answer and records the call's metrics. */
function settle(res: RefinedResponse<ResponseType | undefined>, id: string, messages: JsonRpcMessage[], method: string, api: string, opts: CallOptions): CallOutcome {
  const tags = { ...opts.tags, method, api };
  const answer = messages.find((x) => x.id === id && (x.result !== undefined || x.error !== undefined) && x.jsonrpc === '2.0');
  const notifications = messages.filter((x) => x.id === undefined && typeof x.method === 'string');
  const record = opts.silent !== true;
  if (record && res.status === 200 && answer !== undefined) {
    if (!inWarmup()) m.rpcLatency.add(res.timings.duration, tags);
    if (opts.countAsCall !== false) m.rpcCalls.add(1, tags);
  }
  let ok = false;
  if (answer?.error !== undefined) ok = opts.expectError !== undefined && answer.error.code === opts.expectError;
  else if (answer !== undefined) ok = opts.expectError === undefined && (opts.check === undefined || opts.check(answer.result));
  if (record) verdict(m.errors, 'JSON-RPC answer as expected', ok, tags);
  return { ok, result: answer?.result, error: answer?.error, notifications };
}

/**
 * One JSON-RPC call on `POST <base>/rpc`.
 * @param params positional array or named object; omitted when undefined
 */
export function rpcCall(base: string, method: string, params: unknown, opts: CallOptions = {}): CallOutcome {
  const id = newId();
  const body = JSON.stringify(params === undefined ? { jsonrpc: '2.0', method, id } : { jsonrpc: '2.0', method, params, id });
  const res = http.post(`${base}/rpc`, body, { headers: JSON_HEADERS, tags: { ...opts.tags, rpc: method }, timeout: opts.timeout ?? '10s' });
  const parsed = res.status === 200 && typeof res.body === 'string' ? parseJson(res.body) : undefined;
  const messages = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? [parsed as JsonRpcMessage] : [];
  return settle(res, id, messages, method, 'rpc', opts);
}

/** An open MCP session. */
export interface McpSession {
  base: string;
  id: string;
  /**
   * Headers every request of the session carries, without the auth header: a session is `setup()` data,
   * which k6 puts in its summary file, so the token is added when sent, by `authHeadersFor(id, ...)` (once
   * per session in each VU, not per request). Do not change them once the session is used.
   */
  headers: Record<string, string>;
}

/** Reads a header whatever its case (Go canonicalises `mcp-session-id` to `Mcp-Session-Id`). */
function header(res: RefinedResponse<ResponseType | undefined>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(res.headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/** The messages of an MCP answer, whether it came as JSON or as an SSE stream. */
function mcpMessages(res: RefinedResponse<ResponseType | undefined>): JsonRpcMessage[] {
  if (typeof res.body !== 'string' || res.body === '') return [];
  if ((header(res, 'content-type') ?? '').startsWith('text/event-stream')) return parseSseMessages(res.body);
  const parsed = parseJson(res.body);
  if (Array.isArray(parsed)) return parsed as JsonRpcMessage[];
  return typeof parsed === 'object' && parsed !== null ? [parsed as JsonRpcMessage] : [];
}

/**
 * Opens a session: `initialize`, then the `notifications/initialized` notification.
 * Records `mcp_session_setup`; returns null (errors recorded) when the handshake fails.
 */
export function mcpOpen(base: string, opts: CallOptions = {}): McpSession | null {
  const started = Date.now();
  const id = newId();
  const init = {
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion: MCP_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'tidemark-k6', version: '1.0.0' } },
  };
  const res = http.post(`${base}/mcp`, JSON.stringify(init), { headers: MCP_INIT_HEADERS, tags: { ...opts.tags, rpc: 'initialize' }, timeout: opts.timeout ?? '10s' });
  const outcome = settle(res, id, mcpMessages(res), 'initialize', 'mcp', { ...opts, countAsCall: false, check: (r) => typeof r === 'object' && r !== null && 'protocolVersion' in r });
  const sid = header(res, 'mcp-session-id');
  if (!outcome.ok || sid === undefined) return null;
  const session: McpSession = { base, id: sid, headers: { ...MCP_INIT_BASE, 'Mcp-Session-Id': sid, 'Mcp-Protocol-Version': MCP_PROTOCOL_VERSION } };
  const note = http.post(`${base}/mcp`, '{"jsonrpc":"2.0","method":"notifications/initialized"}', {
    headers: authHeadersFor(sid, session.headers),
    tags: { ...opts.tags, rpc: 'notifications/initialized' },
    timeout: opts.timeout ?? '10s',
  });
  verdict(m.errors, 'MCP initialized notification accepted', note.status === 202, { ...opts.tags, method: 'notifications/initialized', api: 'mcp' });
  if (note.status !== 202) return null;
  m.mcpSessionSetup.add(Date.now() - started, opts.tags ?? {});
  return session;
}

/** One JSON-RPC request inside an MCP session; progress notifications come back in `notifications`. */
export function mcpCall(session: McpSession, method: string, params: Record<string, unknown>, opts: CallOptions = {}): CallOutcome {
  const id = newId();
  const res = http.post(`${session.base}/mcp`, JSON.stringify({ jsonrpc: '2.0', id, method, params }), {
    headers: authHeadersFor(session.id, session.headers),
    tags: { ...opts.tags, rpc: method },
    timeout: opts.timeout ?? '10s',
  });
  return settle(res, id, mcpMessages(res), method, 'mcp', opts);
}

/** Ends a session with DELETE; records `mcp_session_delete`. True when the server confirmed (200). */
export function mcpDelete(session: McpSession, opts: CallOptions = {}): boolean {
  const res = http.del(`${session.base}/mcp`, null, { headers: authHeadersFor(session.id, session.headers), tags: { ...opts.tags, rpc: 'DELETE' }, timeout: opts.timeout ?? '10s' });
  forgetAuthHeaders(session.id);
  const ok = res.status === 200;
  if (ok) m.mcpSessionDelete.add(res.timings.duration, opts.tags ?? {});
  verdict(m.errors, 'MCP session deleted', ok, { ...opts.tags, method: 'DELETE', api: 'mcp' });
  return ok;
}
