/**
 * Test helpers for bad-input ("abuse") suites: raw HTTP requests, slowloris sockets, idle
 * socket floods, and a well-behaved client loop that counts what it was served meanwhile.
 *
 * Shared by every target's `bad-input.test.ts`; the exported names are a stable API.
 * Rules kept by every helper:
 * - load goes to loopback only (a non-loopback host throws);
 * - every loop is bounded in count and in time;
 * - every socket a helper opens is destroyed before its promise resolves, or by the
 *   `close()` of the handle it returns (call it in `afterEach`, it is idempotent);
 * - nothing rejects for a network outcome (refused, reset, closed): outcomes are reported.
 *
 * Typical use:
 * ```ts
 * const report = await whileServing(() => slowloris({ port, count: 50 }), async () => {
 *   const r = await rawRequest({ port, data: buildRequest({ path: '/health' }) });
 *   if (r.status !== 200) throw new Error(`health answered ${r.status}`);
 * });
 * expect(report.failed).toBe(0);
 * ```
 */
import { execFileSync } from 'node:child_process';
import type { Server } from 'node:http';
import { connect, isIP, type AddressInfo, type Socket } from 'node:net';
import { HTTP_LIMITS, hardenHttpServer, type HttpLimits } from './http-limits.ts';

/** Default host of every helper. */
export const LOOPBACK = '127.0.0.1';

/** Throws unless `host` is a loopback address (the project's rule: load only to loopback). */
export function assertLoopback(host: string): void {
  const ok = host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
  if (!ok) throw new Error(`abuse helpers only target loopback addresses; got ${JSON.stringify(host)} (use 127.0.0.1)`);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------
// Timing bounds and test servers
// ---------------------------------------------------------------------------------------------

/**
 * How late past a timeout a drop or an answer may come and still pass, ms. Sized for a loaded
 * 2-core CI machine (thousands of sockets closed at once, other test files running): still far
 * below what the bounds guard against (Node's defaults: 60 s head, 300 s request, checked every 30 s).
 * Every bad-input suite uses this one value.
 */
export const TIMING_SLACK_MS = 4000;

/**
 * Shortened HTTP limits the bad-input suites measure with (the targets' defaults, `HTTP_LIMITS`:
 * 10 s head, 30 s request, checked every 1 s, are asserted to be in force first; see
 * {@link shortenHttpLimits}). A 1 s head timeout keeps a slowloris case near 1 s instead of 10 s.
 */
export const TEST_HTTP_LIMITS: Readonly<Pick<HttpLimits, 'headersTimeoutMs' | 'requestTimeoutMs' | 'checkIntervalMs'>> = Object.freeze({
  headersTimeoutMs: 1000,
  requestTimeoutMs: 2000,
  checkIntervalMs: 100,
});

/**
 * Checks that `server` runs with the targets' default HTTP limits (`HTTP_LIMITS`, applied by every
 * target's `hardenHttpServer`), then applies `limits` over them. Call it before `listen` (Node
 * reads the check interval when listening starts).
 * @param limits default {@link TEST_HTTP_LIMITS}
 * @param own the target's deliberate departures from `HTTP_LIMITS` (e.g. the JSON-RPC target's longer keep-alive); default none
 * @returns the limits now in force
 * @throws Error naming each default that is not in force (a target that lost its hardening)
 */
export function shortenHttpLimits(server: Server, limits: Partial<HttpLimits> = TEST_HTTP_LIMITS, own: Partial<HttpLimits> = {}): HttpLimits {
  const expected: HttpLimits = { ...HTTP_LIMITS, ...own };
  const s = server as Server & { maxHeaderSize?: number; connectionsCheckingInterval?: number };
  const actual: Record<keyof HttpLimits, number | undefined> = {
    headersTimeoutMs: s.headersTimeout,
    requestTimeoutMs: s.requestTimeout,
    keepAliveTimeoutMs: s.keepAliveTimeout,
    maxHeaderBytes: s.maxHeaderSize,
    checkIntervalMs: s.connectionsCheckingInterval,
  };
  const wrong = (Object.keys(expected) as (keyof HttpLimits)[]).filter((k) => actual[k] !== expected[k]).map((k) => `${k} is ${actual[k]}, expected ${expected[k]}`);
  if (wrong.length > 0) throw new Error(`the server does not run with the default HTTP limits (HTTP_LIMITS): ${wrong.join('; ')}`);
  return hardenHttpServer(server, { ...own, ...limits });
}

/**
 * Things to undo after each test, run in reverse order of registration:
 * `const cleanup = new Cleanup(); afterEach(() => cleanup.run());`.
 */
export class Cleanup {
  private readonly steps: (() => unknown)[] = [];

  /** Registers `undo(value)` and returns `value`, e.g. `cleanup.add(await openSse(url), (c) => c.close())`. */
  add<T>(value: T, undo: (value: T) => unknown): T {
    this.steps.push(() => undo(value));
    return value;
  }

  /** Runs every registered step (newest first, each awaited) and forgets them; throws the first error after all ran. */
  async run(): Promise<void> {
    let first: unknown;
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (err) {
        first ??= err;
      }
    }
    if (first !== undefined) throw first;
  }
}

/** A target as the bad-input suites start it (every target's `create…Server()` result). */
export interface TestTarget {
  readonly server: Server;
  listen(port?: number, host?: string): Promise<AddressInfo>;
  close(): Promise<void>;
}

/**
 * Starts `target` on a free loopback port for one test and registers its `close()` with
 * `cleanup`. With `limits`, first checks the default HTTP limits (with the target's `own`
 * departures) are in force and then shortens them ({@link shortenHttpLimits}).
 */
export async function startTestTarget<T extends TestTarget>(target: T, cleanup: Cleanup, limits?: Partial<HttpLimits>, own: Partial<HttpLimits> = {}): Promise<{ server: T; port: number }> {
  cleanup.add(target, (t) => t.close());
  if (limits !== undefined) shortenHttpLimits(target.server, limits, own);
  const { port } = await target.listen(0, LOOPBACK);
  return { server: target, port };
}

// ---------------------------------------------------------------------------------------------
// Building and sending raw requests
// ---------------------------------------------------------------------------------------------

/** What {@link buildRequest} puts on the wire. */
export interface BuildRequestOptions {
  /** Request method. Default `'GET'`. */
  method?: string;
  /** Request target, written as is (no encoding: put raw bytes in a Buffer body or use `head`). Default `'/'`. */
  path?: string;
  /** Extra header lines, written in order, values as is (latin1 for strings). Default none. */
  headers?: Record<string, string>;
  /** Body. A `content-length` is added for it unless `headers` has `content-length` or `transfer-encoding`. Default none. */
  body?: string | Buffer;
  /** `Host` header value. Default `'127.0.0.1'`. */
  host?: string;
  /** Adds `Connection: close`. Default `false` (keep-alive, HTTP/1.1's default). */
  close?: boolean;
}

/**
 * A complete HTTP/1.1 request as bytes. Header values are written as latin1, so a string
 * value with chars 0x80..0xFF puts exactly those bytes on the wire (e.g. invalid UTF-8).
 */
export function buildRequest(options: BuildRequestOptions = {}): Buffer {
  const { method = 'GET', path = '/', headers = {}, body, host = LOOPBACK, close = false } = options;
  const names = new Set(Object.keys(headers).map((h) => h.toLowerCase()));
  let head = `${method} ${path} HTTP/1.1\r\n`;
  if (!names.has('host')) head += `Host: ${host}\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  const bodyBytes = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  if (bodyBytes !== undefined && !names.has('content-length') && !names.has('transfer-encoding')) {
    head += `Content-Length: ${bodyBytes.length}\r\n`;
  }
  if (close && !names.has('connection')) head += 'Connection: close\r\n';
  head += '\r\n';
  const headBytes = Buffer.from(head, 'latin1');
  return bodyBytes === undefined ? headBytes : Buffer.concat([headBytes, bodyBytes]);
}

/**
 * Chunked transfer-encoding of `parts` (one chunk each, empty parts skipped), with the final
 * `0` chunk unless `final` is false (then the body never ends: the peer waits for more).
 */
export function chunked(parts: Array<string | Buffer>, final = true): Buffer {
  const out: Buffer[] = [];
  for (const p of parts) {
    const b = typeof p === 'string' ? Buffer.from(p, 'utf8') : p;
    if (b.length === 0) continue;
    out.push(Buffer.from(`${b.length.toString(16)}\r\n`, 'latin1'), b, Buffer.from('\r\n', 'latin1'));
  }
  if (final) out.push(Buffer.from('0\r\n\r\n', 'latin1'));
  return Buffer.concat(out);
}

/** Options of {@link rawRequest}. */
export interface RawRequestOptions {
  /** Default `'127.0.0.1'` (loopback only). */
  host?: string;
  port: number;
  /**
   * Bytes to write. Strings are written as latin1 (one byte per char: `'\xff'` is the byte
   * 0xFF). An array is written part by part with `partDelayMs` between parts (to split a
   * request across TCP segments, or to send a body slowly).
   */
  data: string | Buffer | Array<string | Buffer>;
  /** Pause between parts of an array `data`, ms. Default `0`. */
  partDelayMs?: number;
  /** Give up (result `end: 'timeout'`) after this many ms from the start. Default `5000`. */
  timeoutMs?: number;
  /** Half-close (FIN) after the last part. Default `false`. */
  endAfterWrite?: boolean;
  /**
   * Resolve as soon as the status line and headers arrived, without waiting for the body
   * (for endless bodies such as an SSE stream). Default `false`.
   */
  headersOnly?: boolean;
  /** Stop writing parts once a response has started (a server that answered early, e.g. 413). Default `true`. */
  stopWritingOnResponse?: boolean;
}

/** What came back from {@link rawRequest}. */
export interface RawResponse {
  /** Status code of the first response, undefined when no status line arrived. */
  status: number | undefined;
  /** Headers of the first response, names lower-cased (the last of repeated names wins). */
  headers: Record<string, string>;
  /** Body of the first response (de-chunked), as far as it arrived. */
  body: Buffer;
  /** `body` as UTF-8. */
  text: string;
  /**
   * How it ended: `complete` (a whole response by Content-Length, chunked framing, or a
   * status with no body; with `headersOnly`, the headers), `closed` (the server closed the
   * connection first), `timeout`, or `error` (connect failure or reset before anything arrived).
   */
  end: 'complete' | 'closed' | 'timeout' | 'error';
  /** The socket error, when there was one (e.g. `ECONNRESET`, `ECONNREFUSED`). */
  error?: string;
  /** True when the server closed (FIN or reset) the connection before we let it go. */
  closedByServer: boolean;
  /** Bytes of the request actually written. */
  bytesWritten: number;
  /** Milliseconds from connect attempt to resolution. */
  elapsedMs: number;
}

interface ParsedHead {
  status: number;
  headers: Record<string, string>;
  bodyStart: number;
}

function parseHead(buf: Buffer): ParsedHead | undefined {
  const endAt = buf.indexOf('\r\n\r\n');
  if (endAt < 0) return undefined;
  const lines = buf.subarray(0, endAt).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: m ? Number(m[1]) : 0, headers, bodyStart: endAt + 4 };
}

/** De-chunks `data`; `done` when the terminating chunk was seen. */
function dechunk(data: Buffer): { body: Buffer; done: boolean } {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) return { body: Buffer.concat(parts), done: false };
    const size = parseInt(data.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size)) return { body: Buffer.concat(parts), done: true };
    if (size === 0) return { body: Buffer.concat(parts), done: true };
    const start = eol + 2;
    if (data.length < start + size + 2) {
      parts.push(data.subarray(start, Math.min(data.length, start + size)));
      return { body: Buffer.concat(parts), done: false };
    }
    parts.push(data.subarray(start, start + size));
    at = start + size + 2;
  }
}

/**
 * Sends raw bytes on a fresh TCP connection and reads the first HTTP response. For what
 * `fetch`/`http.request` refuse to send: lying lengths, broken framing, raw non-UTF-8 bytes.
 * Never rejects; the socket is always destroyed before the promise resolves.
 */
export function rawRequest(options: RawRequestOptions): Promise<RawResponse> {
  const { host = LOOPBACK, port, data, partDelayMs = 0, timeoutMs = 5000, endAfterWrite = false, headersOnly = false, stopWritingOnResponse = true } = options;
  assertLoopback(host);
  const parts = (Array.isArray(data) ? data : [data]).map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p));
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let received: Buffer = Buffer.alloc(0);
    let head: ParsedHead | undefined;
    let bytesWritten = 0;
    let settled = false;
    let closedByServer = false;
    let error: string | undefined;
    let writeTimer: NodeJS.Timeout | undefined;

    const result = (end: RawResponse['end']): RawResponse => {
      let body: Buffer = Buffer.alloc(0);
      if (head !== undefined) {
        const raw = received.subarray(head.bodyStart);
        body = /chunked/i.test(head.headers['transfer-encoding'] ?? '') ? dechunk(raw).body : raw;
        const len = head.headers['content-length'];
        if (len !== undefined && body.length > Number(len)) body = body.subarray(0, Number(len));
      }
      const r: RawResponse = { status: head?.status, headers: head?.headers ?? {}, body, text: body.toString('utf8'), end, closedByServer, bytesWritten, elapsedMs: performance.now() - started };
      if (error !== undefined) r.error = error;
      return r;
    };
    const finish = (end: RawResponse['end']): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(writeTimer);
      const r = result(end);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);

    const complete = (): boolean => {
      if (head === undefined) return false;
      if (headersOnly) return true;
      const raw = received.subarray(head.bodyStart);
      if (head.status === 204 || head.status === 304 || (head.status >= 100 && head.status < 200)) return true;
      if (/chunked/i.test(head.headers['transfer-encoding'] ?? '')) return dechunk(raw).done;
      const len = head.headers['content-length'];
      if (len !== undefined) return raw.length >= Number(len);
      return false; // body until close
    };

    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      head ??= parseHead(received);
      if (complete()) finish('complete');
    });
    socket.on('end', () => {
      closedByServer = true;
      finish(head !== undefined && complete() ? 'complete' : 'closed');
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      error = err.code ?? err.message;
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') closedByServer = true;
      if (head !== undefined && complete()) finish('complete');
      else finish(received.length > 0 || closedByServer ? 'closed' : 'error');
    });
    socket.on('close', () => {
      if (!settled) closedByServer = true;
      finish(head !== undefined && complete() ? 'complete' : 'closed');
    });

    let next = 0;
    const writeNext = (): void => {
      if (settled || socket.destroyed) return;
      if (stopWritingOnResponse && received.length > 0) return;
      const part = parts[next++];
      if (part === undefined) {
        if (endAfterWrite) socket.end();
        return;
      }
      socket.write(part, (err) => {
        if (err === undefined || err === null) bytesWritten += part.length;
      });
      if (next < parts.length) writeTimer = setTimeout(writeNext, partDelayMs);
      else if (endAfterWrite) socket.end();
    };
    socket.once('connect', writeNext);
  });
}

// ---------------------------------------------------------------------------------------------
// Many sockets: idle floods and slowloris
// ---------------------------------------------------------------------------------------------

/**
 * The process's open-file limit (`ulimit -n`), read through `sh`; `Infinity` when unlimited,
 * `1024` when it cannot be read. A socket costs one descriptor here, and one more in the
 * server when the target runs in the same process.
 */
export function openFileLimit(): number {
  try {
    const out = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
    return out === 'unlimited' ? Infinity : Number(out) || 1024;
  } catch {
    return 1024;
  }
}

/**
 * How many sockets a test may open: `wanted`, capped so that both ends (client and an
 * in-process server: 2 descriptors each) plus `reserve` fit under {@link openFileLimit}.
 * @param reserve descriptors left for everything else; default `512`
 */
export function socketBudget(wanted: number, reserve = 512): number {
  const limit = openFileLimit();
  return Math.max(0, Math.min(wanted, Math.floor((limit - reserve) / 2)));
}

/**
 * Fewest sockets a flood test accepts from {@link socketBudget}: below this, `ulimit -n` is too low
 * for the test to prove anything (at `ulimit -n 1024` the budget is 256).
 */
export const MIN_SOCKET_BUDGET = 200;

/**
 * {@link socketBudget} for several kinds of sockets opened together, shared in proportion to what
 * each wants: `{ tcp: 2000, ws: 300 }` stays so on a large `ulimit -n`, and becomes
 * `{ tcp: 222, ws: 34 }` at `ulimit -n 1024`.
 */
export function socketBudgets<K extends string>(wanted: Record<K, number>, reserve = 512): Record<K, number> {
  const entries = Object.entries(wanted) as [K, number][];
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  const budget = socketBudget(total, reserve);
  const out = {} as Record<K, number>;
  let left = budget;
  entries.forEach(([kind, n], i) => {
    const share = i === entries.length - 1 ? left : Math.floor((budget * n) / Math.max(1, total));
    out[kind] = share;
    left -= share;
  });
  return out;
}

/** Options of {@link openIdleSockets}. */
export interface IdleSocketsOptions {
  /** Default `'127.0.0.1'`. */
  host?: string;
  port: number;
  /** Sockets to open. Default `1000`. Size it with {@link socketBudget}. */
  count?: number;
  /** Connects in flight at once (the listen backlog is finite). Default `200`. */
  concurrency?: number;
  /** A connect not done after this many ms counts as failed. Default `5000`. */
  connectTimeoutMs?: number;
  /** Bytes written once on each socket after connect (e.g. a partial header). Default none: fully idle. */
  prefix?: string | Buffer;
}

/** Open idle sockets; `close()` destroys them all. */
export interface IdleSockets {
  /** The connected sockets (failed ones are not in it). */
  readonly sockets: readonly Socket[];
  /** Sockets that connected. */
  readonly opened: number;
  /** Connect attempts that failed or timed out. */
  readonly failed: number;
  /** The first few connect errors (at most 10), e.g. `EMFILE`. */
  readonly errors: readonly string[];
  /** How many of the connected sockets the server has closed so far. */
  closedByServer(): number;
  /** Milliseconds from connect to server close, for each socket the server closed. */
  lifetimesMs(): number[];
  /** Destroys every socket; resolves once all are closed. Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens `count` TCP connections and leaves them idle (or after writing `prefix`).
 * Resolves once every attempt connected or failed; never rejects for network errors.
 */
export async function openIdleSockets(options: IdleSocketsOptions): Promise<IdleSockets> {
  const { host = LOOPBACK, port, count = 1000, concurrency = 200, connectTimeoutMs = 5000, prefix } = options;
  assertLoopback(host);
  const sockets: Socket[] = [];
  const errors: string[] = [];
  const lifetimes: number[] = [];
  let failed = 0;
  let serverClosed = 0;
  let closing = false;

  const openOne = (): Promise<void> =>
    new Promise((resolve) => {
      const s = connect({ host, port });
      const timer = setTimeout(() => {
        failed++;
        if (errors.length < 10) errors.push('connect timeout');
        s.destroy();
        resolve();
      }, connectTimeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        const at = performance.now();
        sockets.push(s);
        s.on('data', () => {}); // read and drop whatever the server sends (e.g. a 408)
        s.once('close', () => {
          if (!closing) {
            serverClosed++;
            lifetimes.push(performance.now() - at);
          }
        });
        if (prefix !== undefined) s.write(prefix);
        resolve();
      });
      s.on('error', (err: NodeJS.ErrnoException) => {
        if (!sockets.includes(s)) {
          clearTimeout(timer);
          failed++;
          if (errors.length < 10) errors.push(err.code ?? err.message);
          s.destroy();
          resolve();
        }
      });
    });

  let started = 0;
  const worker = async (): Promise<void> => {
    while (started < count) {
      started++;
      await openOne();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));

  return {
    sockets,
    get opened() {
      return sockets.length;
    },
    get failed() {
      return failed;
    },
    errors,
    closedByServer: () => serverClosed,
    lifetimesMs: () => [...lifetimes],
    close: () => destroyAll(sockets, () => (closing = true)),
  };
}

/** Options of {@link idleUntilDropped}. */
export interface IdleUntilDroppedOptions extends IdleSocketsOptions {
  /** Stop waiting for the server to drop the sockets this many ms after they were open (and `meanwhile` ran). */
  waitMs: number;
  /** Runs once the sockets are open, before the wait (e.g. opens other connections). Default none. */
  meanwhile?: (idle: IdleSockets) => Promise<void>;
}

/**
 * An idle flood that a server must drop by itself: opens the sockets ({@link openIdleSockets}),
 * runs `meanwhile`, then polls until the server has closed every socket (its headers timeout does
 * that to a connection that never sends a request) or `waitMs` passed. The sockets left are
 * destroyed before it settles, also when `meanwhile` throws; read the outcome from the handle
 * (`opened`, `failed`, `closedByServer()`, `lifetimesMs()`).
 */
export async function idleUntilDropped(options: IdleUntilDroppedOptions): Promise<IdleSockets> {
  const { waitMs, meanwhile, ...open } = options;
  const idle = await openIdleSockets(open);
  try {
    await meanwhile?.(idle);
    const deadline = performance.now() + waitMs;
    while (idle.closedByServer() < idle.opened && performance.now() < deadline) await sleep(50);
  } finally {
    await idle.close();
  }
  return idle;
}

/** A WebSocket upgrade request for `path` (version 13, RFC 6455's sample key), as bytes. */
export function upgradeRequest(path: string, headers: Record<string, string> = {}): Buffer {
  return buildRequest({ path, headers: { Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers } });
}

/** Sends `count` WebSocket upgrade requests to `path` at once, each on its own connection; resolves with the answers in order. */
export function upgradeAttempts(options: { host?: string; port: number; path: string; count: number }): Promise<RawResponse[]> {
  const { host = LOOPBACK, port, path, count } = options;
  return Promise.all(Array.from({ length: count }, () => rawRequest({ host, port, data: upgradeRequest(path) })));
}

/** Destroys sockets and resolves when every one of them emitted `close` (bounded: 5 s). */
function destroyAll(sockets: readonly Socket[], before: () => void): Promise<void> {
  before();
  const waits = sockets.map((s) =>
    s.closed ? Promise.resolve() : new Promise<void>((resolve) => {
      s.once('close', () => resolve());
      s.destroy();
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, 5000);
  });
  return Promise.race([Promise.all(waits).then(() => undefined), bound]).finally(() => clearTimeout(timer));
}

/** Options of {@link slowloris}. */
export interface SlowlorisOptions {
  /** Default `'127.0.0.1'`. */
  host?: string;
  port: number;
  /** Sockets trickling at once. Default `20`. */
  count?: number;
  /** Pause between two bytes on each socket, ms. Default `100`. */
  byteIntervalMs?: number;
  /** Stop trickling (and close what is left) after this many ms. Default `5000`. */
  durationMs?: number;
  /**
   * The start of the request each socket trickles. After it, each socket keeps sending
   * `X-Slow-N: a\r\n` header lines byte by byte, never the blank line that ends the head.
   * Default `'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n'`.
   */
  head?: string;
}

/** What {@link slowloris} saw. */
export interface SlowlorisReport {
  /** Sockets that connected. */
  opened: number;
  /** Sockets that failed to connect. */
  failed: number;
  /** Sockets the server closed before `durationMs` ran out. */
  droppedByServer: number;
  /** Sockets still open when `durationMs` ran out (then closed by us). */
  stillOpen: number;
  /** Bytes trickled over all sockets. */
  bytesSent: number;
  /** Status codes the server answered on trickling sockets (e.g. `{ 408: 20 }`), by count. */
  statuses: Record<number, number>;
  /** Longest time a socket was held open before the server dropped it, ms (0 when none dropped). */
  maxLifetimeMs: number;
  /** Elapsed time, ms. */
  elapsedMs: number;
}

/**
 * Slowloris: opens `count` sockets that each send a request head one byte at a time and never
 * finish it. Resolves when every socket was dropped by the server or `durationMs` passed
 * (sockets still open then are destroyed). A server with a headers timeout drops them all.
 */
export async function slowloris(options: SlowlorisOptions): Promise<SlowlorisReport> {
  const { host = LOOPBACK, port, count = 20, byteIntervalMs = 100, durationMs = 5000, head = `GET /health HTTP/1.1\r\nHost: ${LOOPBACK}\r\n` } = options;
  assertLoopback(host);
  const started = performance.now();
  const deadline = started + durationMs;
  const report: SlowlorisReport = { opened: 0, failed: 0, droppedByServer: 0, stillOpen: 0, bytesSent: 0, statuses: {}, maxLifetimeMs: 0, elapsedMs: 0 };

  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const s = connect({ host, port });
      let received = '';
      let timer: NodeJS.Timeout | undefined;
      let connectedAt = 0;
      let done = false;
      let text = head;
      let offset = 0;
      let line = 0;
      const stop = (byServer: boolean): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearTimeout(deadlineTimer);
        if (connectedAt === 0) report.failed++;
        else if (byServer) {
          report.droppedByServer++;
          report.maxLifetimeMs = Math.max(report.maxLifetimeMs, performance.now() - connectedAt);
        } else report.stillOpen++;
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(received);
        if (m) report.statuses[Number(m[1])] = (report.statuses[Number(m[1])] ?? 0) + 1;
        s.destroy();
        resolve();
      };
      const deadlineTimer = setTimeout(() => stop(false), Math.max(0, deadline - performance.now()));
      const trickle = (): void => {
        if (done || s.destroyed) return;
        if (offset >= text.length) {
          text = `X-Slow-${line++}: a\r\n`;
          offset = 0;
        }
        s.write(text[offset++]!, 'latin1');
        report.bytesSent++;
        timer = setTimeout(trickle, byteIntervalMs);
      };
      s.once('connect', () => {
        connectedAt = performance.now();
        report.opened++;
        trickle();
      });
      s.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
      s.on('error', () => stop(connectedAt !== 0));
      s.on('close', () => stop(connectedAt !== 0));
      s.on('end', () => stop(true));
    });

  await Promise.all(Array.from({ length: count }, one));
  report.elapsedMs = performance.now() - started;
  return report;
}

// ---------------------------------------------------------------------------------------------
// The well-behaved client during an attack
// ---------------------------------------------------------------------------------------------

/** Options of {@link whileServing}. */
export interface WhileServingOptions {
  /** Probes running side by side. Default `1`. */
  concurrency?: number;
  /** Pause between two probes of one lane, ms. Default `20`. */
  intervalMs?: number;
  /** Most probes in all (the loop stops there even if the attack goes on). Default `2000`. */
  maxProbes?: number;
  /** Probes to complete even when the attack ends sooner (run after it). Default `3`. */
  minProbes?: number;
  /** A probe not settled after this many ms fails (and its signal is aborted). Default `5000`. */
  probeTimeoutMs?: number;
  /** The whole call gives up after this many ms (probes stop; the attack is awaited). Default `60000`. */
  timeoutMs?: number;
}

/** What {@link whileServing} saw. */
export interface ServingReport<T> {
  /** The attack's own result. */
  attack: T;
  /** Probes run (settled). */
  probes: number;
  /** Probes that resolved. */
  ok: number;
  /** Probes that threw or timed out. */
  failed: number;
  /** Probes that started while the attack was still running (the ones that prove anything). */
  duringAttack: number;
  /** The first failure messages (at most 10), with the probe index. */
  failures: string[];
  /** Elapsed time, ms. */
  elapsedMs: number;
}

/**
 * Runs `attack` and, at the same time, a loop of `probe` calls: a well-behaved client that
 * must be served correctly throughout. A probe succeeds by resolving and fails by throwing
 * (check content inside it, not only the status). Probing starts before the attack and
 * goes on until it settles (then `minProbes` at least), bounded by `maxProbes` and
 * `timeoutMs`. If the attack throws, that error is thrown after the probes stopped.
 * @param probe gets its index and an AbortSignal aborted on its timeout (close sockets on it)
 */
export async function whileServing<T>(attack: () => Promise<T>, probe: (i: number, signal: AbortSignal) => Promise<void>, options: WhileServingOptions = {}): Promise<ServingReport<T>> {
  const { concurrency = 1, intervalMs = 20, maxProbes = 2000, minProbes = 3, probeTimeoutMs = 5000, timeoutMs = 60_000 } = options;
  const started = performance.now();
  let attackDone = false;
  let next = 0;
  let ok = 0;
  let failed = 0;
  let duringAttack = 0;
  const failures: string[] = [];

  const runProbe = async (i: number): Promise<void> => {
    const ctl = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        ctl.abort();
        reject(new Error(`probe timed out after ${probeTimeoutMs} ms`));
      }, probeTimeoutMs);
    });
    try {
      await Promise.race([probe(i, ctl.signal), timeout]);
      ok++;
    } catch (err) {
      failed++;
      if (failures.length < 10) failures.push(`probe ${i}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      clearTimeout(timer);
    }
  };
  const lane = async (): Promise<void> => {
    while (next < maxProbes && performance.now() - started < timeoutMs && (!attackDone || next < minProbes)) {
      const i = next++;
      if (!attackDone) duringAttack++;
      await runProbe(i);
      if (intervalMs > 0) await sleep(intervalMs);
    }
  };

  const lanes = Array.from({ length: Math.max(1, concurrency) }, lane);
  let attackResult: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    attackResult = { ok: true, value: await attack() };
  } catch (error) {
    attackResult = { ok: false, error };
  }
  attackDone = true;
  await Promise.all(lanes);
  if (!attackResult.ok) throw attackResult.error;
  return { attack: attackResult.value, probes: ok + failed, ok, failed, duringAttack, failures, elapsedMs: performance.now() - started };
}
