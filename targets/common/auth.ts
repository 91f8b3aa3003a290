/**
 * Optional bearer-token auth of every target (issue 9, point 8).
 *
 * - The token comes from the environment only: `TIDEMARK_AUTH_TOKEN`. Unset or empty = auth off
 *   (the default: targets bind 127.0.0.1 and serve anyone on this machine). Never commit a token.
 * - On: every request and WebSocket upgrade must carry `Authorization: Bearer <token>`, except the
 *   open paths ({@link OPEN_PATHS}: `/health`, so liveness probes and the harness's readiness poll
 *   need no secret; it tells nothing but "up"). `/stats`, `/metrics`, streams, JSON-RPC, MCP,
 *   WebSocket upgrades and the price-engine dashboard all need the token.
 * - A refusal is `401` with `WWW-Authenticate: Bearer realm="tidemark"` and one line saying which
 *   header is missing or wrong; the token is never echoed. An upgrade is refused with the same
 *   HTTP 401 on the raw socket, before any WebSocket handshake.
 * - The comparison is constant-time: SHA-256 digests of the sent and the expected token (equal
 *   length whatever was sent) compared with `crypto.timingSafeEqual`.
 *
 * Browser pages (the price-engine dashboard): a browser cannot put a header on a page load, a
 * `<script src>` or (for SSE) an `EventSource`. Rather than a token in every URL (it would be in
 * every fetch of the page's script and in logs), a target may name one *login path* and a set of
 * *browser paths*: `GET <login>?token=<token>` with the right token answers `303` back to the login
 * path with an `HttpOnly; SameSite=Strict` cookie holding an HMAC of the token (not the token), and
 * that cookie is accepted on the browser paths only (the page, its static files and the API calls
 * the page makes). `SameSite=Strict` keeps other sites from using it (no cross-site POST /perf-test).
 * Everywhere else only the header counts, and `?token=` is accepted nowhere but the login path.
 *
 * Cost: with auth off, {@link guardRequests} returns the handler itself and servers test
 * `auth !== undefined` once per upgrade, so the request path pays nothing.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { pathOf, replyOnUpgradeSocket } from './http.ts';

/** The environment variable holding the token. */
export const AUTH_ENV = 'TIDEMARK_AUTH_TOKEN';
/** Shortest token accepted, characters. */
export const MIN_TOKEN_LENGTH = 16;
/** Realm of the `WWW-Authenticate` challenge. */
export const AUTH_REALM = 'tidemark';
/** Paths served without the token (liveness only). */
export const OPEN_PATHS: ReadonlySet<string> = new Set(['/health']);
/** Name of the dashboard cookie (its value is an HMAC of the token, never the token). */
export const AUTH_COOKIE = 'tidemark_auth';

const CHALLENGE = `Bearer realm="${AUTH_REALM}"`;
const CHALLENGE_INVALID = `${CHALLENGE}, error="invalid_token"`;

/** Browser access: where `?token=` is exchanged for the cookie, and where the cookie is accepted. */
export interface BrowserAccess {
  /** The page a person opens, e.g. `/`: `GET <loginPath>?token=T` sets the cookie and redirects here. */
  loginPath: string;
  /** Paths where the cookie counts as the token (the page, its files, the API calls it makes). */
  paths: Iterable<string>;
}

/** Why a request was refused, or null when it may proceed. */
export type AuthVerdict = null | { kind: 'missing' | 'scheme' | 'wrong'; text: string };

/** A target's auth, present only when a token is set. */
export interface Auth {
  /** Decides for a request's path and headers (`/health` and friends are always allowed). */
  check(req: IncomingMessage, path: string): AuthVerdict;
  /** Answers 401 (or the dashboard login) and returns true when the request must stop here; false = go on. */
  refuseRequest(req: IncomingMessage, res: ServerResponse): boolean;
  /** Writes an HTTP 401 on the socket of an upgrade request and returns true when it lacks the token. */
  refuseUpgrade(req: IncomingMessage, socket: Duplex): boolean;
}

/** A start-up error about the token: names the variable and what to do, never the value. */
export class AuthConfigError extends Error {
  override name = 'AuthConfigError';
}

/**
 * Checks a token's shape.
 * @throws AuthConfigError when it is too short or holds whitespace or other non-printable characters
 */
export function validateToken(token: string): void {
  const fix = `set it to a random value of at least ${MIN_TOKEN_LENGTH} printable characters without spaces (e.g. \`export ${AUTH_ENV}=$(openssl rand -hex 32)\`), or unset it to turn auth off`;
  if (/\s/.test(token)) throw new AuthConfigError(`${AUTH_ENV} contains whitespace: ${fix}`);
  if (!/^[\x21-\x7e]+$/.test(token)) throw new AuthConfigError(`${AUTH_ENV} contains characters other than printable ASCII (not allowed in an HTTP header): ${fix}`);
  if (token.length < MIN_TOKEN_LENGTH) throw new AuthConfigError(`${AUTH_ENV} is ${token.length} characters long, shorter than ${MIN_TOKEN_LENGTH}: ${fix}`);
}

/** The token from the environment; undefined when unset or empty (auth off). Validated. */
export function tokenFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const token = env[AUTH_ENV];
  if (token === undefined || token === '') return undefined;
  validateToken(token);
  return token;
}

/**
 * The target's auth from `TIDEMARK_AUTH_TOKEN`: undefined when auth is off.
 * @param browser dashboard access by cookie (default none: header only)
 * @throws AuthConfigError on a malformed token (the target then refuses to start)
 */
export function authFromEnv(browser?: BrowserAccess, env: NodeJS.ProcessEnv = process.env): Auth | undefined {
  const token = tokenFromEnv(env);
  return token === undefined ? undefined : createAuth(token, browser);
}

/** `{ Authorization: 'Bearer <token>' }` when the environment has a token, else `{}` (clients of the targets in Node). */
export function authHeaders(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const token = env[AUTH_ENV];
  return token === undefined || token === '' ? {} : { authorization: `Bearer ${token}` };
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** The value of one cookie in a `Cookie` header, or undefined. */
function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * True when the request announced a body (`Content-Length` above 0, or any `Transfer-Encoding`).
 * A refusal of such a request closes the connection: reading an unauthenticated upload to its end
 * (up to the request timeout) only to keep the socket for a next request is not worth it.
 */
function announcesBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && Number(length) > 0);
}

/**
 * Auth for one token (already validated, see {@link validateToken}).
 * @param browser dashboard access by cookie (default none)
 */
export function createAuth(token: string, browser?: BrowserAccess): Auth {
  const expected = digest(token);
  // What the cookie holds: proves knowledge of the token without being it (a leaked cookie is not the token).
  const cookie = createHmac('sha256', token).update('tidemark dashboard cookie v1').digest('base64url');
  const cookieDigest = digest(cookie);
  const browserPaths = new Set(browser?.paths ?? []);
  const loginPath = browser?.loginPath;

  const tokenOk = (sent: string): boolean => timingSafeEqual(digest(sent), expected);

  const check = (req: IncomingMessage, path: string): AuthVerdict => {
    if (OPEN_PATHS.has(path)) return null;
    const header = req.headers.authorization;
    if (header === undefined || header === '') {
      if (browserPaths.has(path)) {
        const sent = cookieValue(req.headers.cookie, AUTH_COOKIE);
        if (sent !== undefined && timingSafeEqual(digest(sent), cookieDigest)) return null;
      }
      const hint = browserPaths.has(path) && loginPath !== undefined ? ` (in a browser, open ${loginPath}?token=<token> once)` : '';
      return { kind: 'missing', text: `missing Authorization header: this target requires "Authorization: Bearer <token>" with the value of ${AUTH_ENV} it was started with${hint}` };
    }
    const m = /^Bearer +(\S+) *$/i.exec(header);
    if (m === null) return { kind: 'scheme', text: `Authorization header is not a Bearer token: send "Authorization: Bearer <token>" with the value of ${AUTH_ENV}` };
    if (!tokenOk(m[1] as string)) return { kind: 'wrong', text: `Authorization header has the wrong bearer token: send the value of ${AUTH_ENV} the target was started with` };
    return null;
  };

  /** `GET <loginPath>?token=T`: the right T sets the cookie and redirects to the bare path. */
  const login = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    if (loginPath === undefined || q < 0 || req.method !== 'GET' || pathOf(url) !== loginPath) return false;
    const sent = new URLSearchParams(url.slice(q + 1)).get('token');
    if (sent === null) return false;
    if (!tokenOk(sent)) {
      res.writeHead(401, { 'www-authenticate': CHALLENGE_INVALID, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...(announcesBody(req) ? { connection: 'close' } : {}) });
      res.end(`the token query parameter is wrong: open ${loginPath}?token=<token> with the value of ${AUTH_ENV} the target was started with\n`);
      return true;
    }
    res.writeHead(303, {
      location: loginPath,
      'set-cookie': `${AUTH_COOKIE}=${cookie}; Path=/; HttpOnly; SameSite=Strict`,
      'cache-control': 'no-store',
      'content-length': 0,
    });
    res.end();
    return true;
  };

  return {
    check,
    refuseRequest(req, res) {
      const path = pathOf(req.url);
      if (path === loginPath && login(req, res)) {
        req.resume();
        return true;
      }
      const verdict = check(req, path);
      if (verdict === null) return false;
      // Without a body the keep-alive connection stays usable. With one, `connection: close` makes Node end the
      // socket once the 401 is written, instead of reading an unauthenticated upload until the request timeout.
      req.resume();
      const body = `${verdict.text}\n`;
      res.writeHead(401, {
        'www-authenticate': verdict.kind === 'wrong' ? CHALLENGE_INVALID : CHALLENGE,
        'content-type': 'text/plain; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        'cache-control': 'no-store',
        ...(announcesBody(req) ? { connection: 'close' } : {}),
      });
      res.end(body);
      return true;
    },
    refuseUpgrade(req, socket) {
      const verdict = check(req, pathOf(req.url));
      if (verdict === null) return false;
      replyOnUpgradeSocket(socket, 401, verdict.text, { 'www-authenticate': verdict.kind === 'wrong' ? CHALLENGE_INVALID : CHALLENGE });
      return true;
    },
  };
}

/**
 * The request handler behind auth: `handler` itself when auth is off (no cost at all), else a
 * handler that answers 401 first when the token is missing or wrong.
 */
export function guardRequests(auth: Auth | undefined, handler: RequestListener): RequestListener {
  if (auth === undefined) return handler;
  return (req, res) => {
    if (!auth.refuseRequest(req, res)) handler(req, res);
  };
}
