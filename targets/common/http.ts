/** Small HTTP helpers every target needs: replies, URL splitting, `/health` and `/stats`. */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { HandlingTime } from './handling-time.ts';

/** Writes a JSON reply with an exact Content-Length (no chunked encoding for small bodies). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** Writes a plain-text reply; a trailing newline is added so curl output reads well. */
export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  const body = text.endsWith('\n') ? text : `${text}\n`;
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(body);
}

/** 405 with the `Allow` header, as HTTP asks. */
export function methodNotAllowed(res: ServerResponse, method: string | undefined, path: string, allow: string[]): void {
  sendText(res, 405, `method ${method ?? '?'} is not allowed on ${path}; use ${allow.join(' or ')}`, { allow: allow.join(', ') });
}

/** 404 listing what exists, so a typo is obvious. */
export function notFound(res: ServerResponse, path: string, known: string[]): void {
  sendText(res, 404, `no such path ${path}; this target serves ${known.join(', ')}`);
}

/**
 * Writes a plain-text HTTP answer on the raw socket of an upgrade request (a refused WebSocket
 * handshake: there is no `ServerResponse` there) and ends the socket (`connection: close`).
 * A trailing newline is added to `text`, as {@link sendText} does.
 * @param status HTTP status; its reason phrase comes from Node's `STATUS_CODES`
 * @param headers extra header lines, e.g. `{ 'retry-after': '1' }`; default none
 */
export function replyOnUpgradeSocket(socket: Duplex, status: number, text: string, headers: Record<string, string> = {}): void {
  const body = text.endsWith('\n') ? text : `${text}\n`;
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n${extra}\r\n${body}`,
  );
}

/** The path of a request URL (everything before `?`), without parsing the query: for a route or auth check. */
export function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return q < 0 ? raw : raw.slice(0, q);
}

/** A request URL split into path and query without building a full WHATWG URL (cheaper per request). */
export function splitUrl(url: string | undefined): { path: string; query: URLSearchParams } {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return { path: pathOf(raw), query: q < 0 ? new URLSearchParams() : new URLSearchParams(raw.slice(q + 1)) };
}

/** What the base routes need from a target. */
export interface BaseRoutes {
  /** Target name for `/health`. */
  target: string;
  /** Builds the `/stats` body (base shape plus the target's fields). */
  stats: () => object;
  /** The target's handling-time histogram, served at `/stats/handling-time` (default: none, 404 there). */
  handlingTime?: HandlingTime | undefined;
}

/** Where a target with a handling-time histogram serves it (targets/common/handling-time.ts). */
export const HANDLING_TIME_PATH = '/stats/handling-time';

/** Paths answered by {@link handleBaseRoutes}. */
export const BASE_PATHS = ['/health', '/stats'];

/**
 * Answers `GET /health` and `GET /stats` (HEAD too). Returns false when the path is
 * neither, so the target routes it itself.
 */
export function handleBaseRoutes(req: IncomingMessage, res: ServerResponse, path: string, routes: BaseRoutes): boolean {
  const handling = path === HANDLING_TIME_PATH ? routes.handlingTime : undefined;
  if (path !== '/health' && path !== '/stats' && handling === undefined) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    methodNotAllowed(res, req.method, path, ['GET', 'HEAD']);
  } else if (path === '/health') {
    sendJson(res, 200, { status: 'ok', target: routes.target });
  } else if (handling !== undefined) {
    sendJson(res, 200, handling.snapshot());
  } else {
    sendJson(res, 200, routes.stats());
  }
  return true;
}
