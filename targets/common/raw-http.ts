/** Raw HTTP for bad-input suites: requests built byte by byte, sent on their own socket, answers parsed loosely. */
import { connect } from 'node:net';
import { LOOPBACK, assertLoopback } from './abuse-basics.ts';

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


/** A WebSocket upgrade request for `path` (version 13, RFC 6455's sample key), as bytes. */
export function upgradeRequest(path: string, headers: Record<string, string> = {}): Buffer {
  return buildRequest({ path, headers: { Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers } });
}

/** Sends `count` WebSocket upgrade requests to `path` at once, each on its own connection; resolves with the answers in order. */
export function upgradeAttempts(options: { host?: string; port: number; path: string; count: number }): Promise<RawResponse[]> {
  const { host = LOOPBACK, port, path, count } = options;
  return Promise.all(Array.from({ length: count }, () => rawRequest({ host, port, data: upgradeRequest(path) })));
}

/** One answer of {@link sendCases}, with the case it answers. */
export interface CaseAnswer<C> {
  case: C;
  response: RawResponse;
  /** The server closed the connection, or said it would (`Connection: close`). */
  closed: boolean;
}

/**
 * Sends every case `rounds` times, `lanes` requests at a time, each on its own connection; resolves with the
 * answers (bounded: `rounds × cases` requests, each within `timeoutMs`).
 * @param options.lanes requests in flight at once (default 4)
 * @param options.timeoutMs per request (default 3000)
 * @param options.host default `'127.0.0.1'`
 */
export async function sendCases<C extends { data: RawRequestOptions['data'] }>(
  port: number,
  cases: readonly C[],
  rounds: number,
  options: { lanes?: number; timeoutMs?: number; host?: string } = {},
): Promise<Array<CaseAnswer<C>>> {
  const { lanes = 4, timeoutMs = 3000, host = LOOPBACK } = options;
  const queue = Array.from({ length: rounds }, () => cases).flat();
  const out: Array<CaseAnswer<C>> = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < queue.length) {
        const c = queue[next++]!;
        const response = await rawRequest({ host, port, data: c.data, timeoutMs });
        out.push({ case: c, response, closed: response.closedByServer || response.headers.connection === 'close' });
      }
    }),
  );
  return out;
}
