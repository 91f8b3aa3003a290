/**
 * `/mcp`: the Model Context Protocol over Streamable HTTP (POST, GET, DELETE), one SDK
 * transport and server per session. This file routes requests to sessions and enforces
 * the limits (body size, batch length, sessions, idle time) before the SDK sees anything,
 * so bad input is answered with a JSON-RPC error and never reaches a session.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { readBody } from '../common/body.ts';
import type { Faults } from '../common/faults.ts';
import type { McpCounters } from './counters.ts';
import { createMcpServer } from './mcp-server.ts';
import { FaultyTransport } from './mcp-transport.ts';
import { requestProblem } from './dispatch.ts';
import { ErrorCode, errorResponse, isValidId, type RpcId } from './protocol.ts';
import type { ToolBox } from './tools.ts';

/** Limits of `/mcp`. */
export interface McpLimits {
  maxBodyBytes: number;
  maxBatch: number;
  maxSessions: number;
  sessionIdleMs: number;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  server: McpServer;
  /** Date.now() of the last request start or end (idle expiry needs only ms precision). */
  lastSeen: number;
  /** Requests of this session still open (an open SSE stream keeps the session alive). */
  open: number;
  /** `TIDEMARK_FAULT_MEM_KB` ballast, released with the session. */
  ballast: Buffer | undefined;
}

/** Session counts for `/stats`. */
export interface SessionCounts {
  current: number;
  peak: number;
}

/** The `/mcp` route: handle requests, report sessions, close everything. */
export interface McpRoute {
  handle(req: IncomingMessage, res: ServerResponse): void;
  readonly sessions: SessionCounts;
  close(): Promise<void>;
}

const ALLOW = ['GET', 'POST', 'DELETE'];

/** Writes a JSON-RPC error as the SDK does for transport-level refusals (HTTP status plus a JSON-RPC body). */
function sendRpcError(res: ServerResponse, status: number, code: number, message: string, id: RpcId = null, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(errorResponse(id, code, message));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

/**
 * Why `m` is not a JSON-RPC message a client may send (a request, a notification, or a response
 * to a server request), or undefined. Checked here because the SDK answers these with -32700,
 * while the specification's code for a well-formed JSON value that is no valid Request is -32600.
 */
function messageProblem(m: unknown): string | undefined {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return 'expected a JSON-RPC message object';
  const msg = m as Record<string, unknown>;
  if (Object.hasOwn(msg, 'method')) return requestProblem(msg);
  const isResponse = msg.jsonrpc === '2.0' && isValidId(msg.id) && Object.hasOwn(msg, 'result') !== Object.hasOwn(msg, 'error');
  return isResponse ? undefined : 'expected a request, a notification or a response';
}

function isInitialize(body: unknown): body is { id: unknown; method: 'initialize' } {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && (body as { method?: unknown }).method === 'initialize';
}

/**
 * Builds the route.
 * @param box the tools (shared by every session)
 * @param faults the knobs (MEM_KB per session here; the rest in FaultyTransport)
 * @param counters `/stats` counters
 */
export function createMcpRoute(box: ToolBox, faults: Faults, counters: McpCounters, limits: McpLimits): McpRoute {
  const sessions = new Map<string, Session>();
  const counts: SessionCounts = { current: 0, peak: 0 };
  /** Sessions being set up (initialize in progress): they count against the limit too. */
  let starting = 0;
  let closing = false;

  const forget = (id: string | undefined): void => {
    if (id === undefined) return;
    const s = sessions.get(id);
    if (s === undefined) return;
    sessions.delete(id);
    s.ballast = undefined;
    counts.current = sessions.size;
  };

  // One sweep timer for all sessions: per-session timers would cost memory per session.
  const sweep = setInterval(() => {
    const cutoff = Date.now() - limits.sessionIdleMs;
    for (const [id, s] of sessions) {
      if (s.open === 0 && s.lastSeen < cutoff) {
        counters.sessionsExpired++;
        forget(id);
        void s.server.close();
      }
    }
  }, Math.max(50, Math.min(limits.sessionIdleMs / 2, 30_000)));
  sweep.unref();

  /** Keeps the session's clock and open-request count while a request runs. */
  const track = (s: Session, res: ServerResponse): void => {
    s.open++;
    s.lastSeen = Date.now();
    res.once('close', () => {
      s.open--;
      s.lastSeen = Date.now();
    });
  };

  /** Hands a request to the SDK; anything it throws is still answered with a JSON-RPC error. */
  const delegate = (transport: StreamableHTTPServerTransport, req: IncomingMessage, res: ServerResponse, body?: unknown): Promise<void> =>
    transport.handleRequest(req, res, body).catch((err: unknown) => {
      counters.rejected.internal++;
      if (!res.headersSent) sendRpcError(res, 500, ErrorCode.InternalError, `Internal error: ${String(err)}`);
      else res.destroy();
    });

  /**
   * A new session's server and transports. Built apart from the request on purpose: closures the
   * session keeps (onClosed, the SDK's callbacks) must not share a scope with `req`/`res`, or V8's
   * shared closure context would keep the first request and response alive as long as the session.
   */
  const createSession = (): { session: Session; wrapped: FaultyTransport } => {
    const server = createMcpServer(box);
    const session: Session = { transport: undefined as never, server, lastSeen: Date.now(), open: 0, ballast: undefined };
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (sid) => {
        sessions.set(sid, session);
        counts.current = sessions.size;
        if (counts.current > counts.peak) counts.peak = counts.current;
        counters.sessionsCreated++;
        session.ballast = faults.holdMemory();
      },
      onsessionclosed: () => {
        counters.sessionsDeleted++;
      },
    });
    session.transport = transport;
    return { session, wrapped: new FaultyTransport(transport, faults, counters, () => forget(transport.sessionId)) };
  };

  const startSession = (req: IncomingMessage, res: ServerResponse, body: { id: unknown }): void => {
    const id = isValidId(body.id) ? body.id : null;
    if (closing) return sendRpcError(res, 503, -32000, 'the server is shutting down; connect to a running instance', id);
    if (sessions.size + starting >= limits.maxSessions) {
      counters.sessionsRejected++;
      const why = `too many MCP sessions: the limit is ${limits.maxSessions}. DELETE sessions you no longer use, or raise TIDEMARK_JSONRPC_MAX_SESSIONS=N (idle ones close after TIDEMARK_JSONRPC_SESSION_IDLE_MS=${limits.sessionIdleMs})`;
      return sendRpcError(res, 503, -32000, why, id, { 'retry-after': '1' });
    }
    starting++;
    const { session, wrapped } = createSession();
    track(session, res);
    session.server
      .connect(wrapped)
      .then(() => delegate(session.transport, req, res, body))
      .catch((err: unknown) => {
        counters.rejected.internal++;
        if (!res.headersSent) sendRpcError(res, 500, ErrorCode.InternalError, `Internal error: ${String(err)}`, id);
      })
      .finally(() => {
        starting--;
        // The SDK refused the handshake (bad params, bad headers): nothing else can reach this server.
        if (session.transport.sessionId === undefined) void session.server.close();
      });
  };

  const post = (req: IncomingMessage, res: ServerResponse, sid: string | undefined): void => {
    readBody(req, limits.maxBodyBytes, (read) => {
      if (!read.ok) {
        if (read.reason === 'aborted') return; // the client went away: nobody to answer
        counters.rejected.bodyTooLarge++;
        const why = `Invalid Request: the request body is over ${limits.maxBodyBytes} bytes (TIDEMARK_JSONRPC_MAX_BODY_BYTES)`;
        return sendRpcError(res, 413, ErrorCode.InvalidRequest, why);
      }
      if (!read.utf8) {
        // Not altered into U+FFFD and passed on: JSON must be UTF-8 (RFC 8259), so this is a parse error.
        counters.rejected.parse++;
        return sendRpcError(res, 400, ErrorCode.ParseError, 'Parse error: the request body is not valid UTF-8');
      }
      let body: unknown;
      try {
        body = JSON.parse(read.text);
      } catch (err) {
        counters.rejected.parse++;
        return sendRpcError(res, 400, ErrorCode.ParseError, `Parse error: ${(err as Error).message}`);
      }
      if (Array.isArray(body) && (body.length === 0 || body.length > limits.maxBatch)) {
        counters.rejected.invalidRequest++;
        const why = body.length === 0 ? 'an empty batch array' : `a batch of ${body.length} messages exceeds the limit of ${limits.maxBatch}`;
        return sendRpcError(res, 400, ErrorCode.InvalidRequest, `Invalid Request: ${why}`);
      }
      const problem = Array.isArray(body) ? body.map(messageProblem).find((p) => p !== undefined) : messageProblem(body);
      if (problem !== undefined) {
        counters.rejected.invalidRequest++;
        return sendRpcError(res, 400, ErrorCode.InvalidRequest, `Invalid Request: ${problem}`);
      }
      if (sid !== undefined) {
        const session = sessions.get(sid);
        if (session === undefined) return unknownSession(res);
        track(session, res);
        void delegate(session.transport, req, res, body);
        return;
      }
      if (isInitialize(body)) return startSession(req, res, body);
      counters.rejected.noSession++;
      sendRpcError(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required; send initialize first to get one');
    });
  };

  const unknownSession = (res: ServerResponse): void => {
    counters.rejected.unknownSession++;
    // Same code and status as the SDK: a client re-initializes on 404.
    sendRpcError(res, 404, -32001, 'Session not found: it was deleted, expired, or never existed; send initialize again');
  };

  return {
    sessions: counts,
    handle(req, res) {
      counters.httpRequests++;
      const header = req.headers['mcp-session-id'];
      const sid = typeof header === 'string' && header !== '' ? header : undefined;
      if (req.method === 'POST') return post(req, res, sid);
      if (req.method !== 'GET' && req.method !== 'DELETE') {
        counters.rejected.methodNotAllowed++;
        req.resume();
        return sendRpcError(res, 405, -32000, `Method Not Allowed: ${req.method ?? '?'} on /mcp; use ${ALLOW.join(', ')}`, null, { allow: ALLOW.join(', ') });
      }
      req.resume();
      if (sid === undefined) {
        counters.rejected.noSession++;
        return sendRpcError(res, 400, -32000, `Bad Request: Mcp-Session-Id header is required for ${req.method}`);
      }
      const session = sessions.get(sid);
      if (session === undefined) return unknownSession(res);
      track(session, res);
      void delegate(session.transport, req, res);
    },
    async close() {
      closing = true;
      clearInterval(sweep);
      const all = [...sessions.values()];
      sessions.clear();
      counts.current = 0;
      await Promise.all(all.map((s) => s.server.close().catch(() => {})));
    },
  };
}
