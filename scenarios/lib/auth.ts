/**
 * The one place scenarios get the target's bearer token: `TIDEMARK_AUTH_TOKEN` from k6's `__ENV`
 * (k6 passes the process environment through, so the harness's environment reaches it without a
 * `-e` flag that would show the token in the process list). Unset or empty: no header (auth off).
 * Every HTTP request, SSE stream and WebSocket connect of the scenario libs adds these headers; the
 * token is never put in a tag, a URL, a log line or the summary. See targets/common/auth.ts.
 */

const token = typeof __ENV === 'undefined' ? undefined : __ENV.TIDEMARK_AUTH_TOKEN;

/** `{ Authorization: 'Bearer <token>' }` when `TIDEMARK_AUTH_TOKEN` is set, else `{}`. Do not log it. */
export const AUTH_HEADERS: Readonly<Record<string, string>> = token === undefined || token === '' ? {} : { Authorization: `Bearer ${token}` };

/** True when `TIDEMARK_AUTH_TOKEN` is set (requests carry {@link AUTH_HEADERS}). */
export const AUTH_ON = Object.keys(AUTH_HEADERS).length > 0;

/**
 * `headers` plus the auth header. Auth off: `headers` itself, unchanged (no object per request). Auth on: a
 * new object (`headers` is not changed). Either way, do not change the result when `headers` is shared: build
 * headers once (module scope, or {@link authHeadersFor}) rather than per request. Without an argument, a fresh
 * object the caller may change.
 */
export function withAuth(headers?: Record<string, string>): Record<string, string> {
  if (headers === undefined) return { ...AUTH_HEADERS };
  return AUTH_ON ? { ...headers, ...AUTH_HEADERS } : headers;
}

/** Most entries {@link authHeadersFor} keeps per VU before starting over (bounds churned sessions). */
export const AUTH_CACHE_MAX = 1024;
/** This VU's headers with auth, by key. In VU memory only: never returned from `setup()`. */
const authCache = new Map<string, Record<string, string>>();

/**
 * `withAuth(headers)` built once per `key` in this VU and reused (auth off: `headers` itself), for headers
 * that travel without the token but are sent many times: an MCP session's headers are `setup()` data, which
 * k6 writes into its summary, and k6 hands each access to setup data out as a new object, so the key is what
 * identifies them (the session id). The same key must always come with the same headers; do not change the result.
 */
export function authHeadersFor(key: string, headers: Record<string, string>): Record<string, string> {
  if (!AUTH_ON) return headers;
  let out = authCache.get(key);
  if (out === undefined) {
    if (authCache.size >= AUTH_CACHE_MAX) authCache.clear();
    out = { ...headers, ...AUTH_HEADERS };
    authCache.set(key, out);
  }
  return out;
}

/** Drops the headers {@link authHeadersFor} keeps for `key` (e.g. a deleted session). */
export function forgetAuthHeaders(key: string): void {
  authCache.delete(key);
}

const WS_AUTH_PARAMS: { headers: Record<string, string> } = { headers: AUTH_HEADERS };

/** Params of `new WebSocket(url, null, params)` (k6/websockets) carrying the auth header: one shared object, do not change it. */
export function wsAuthParams(): { headers: Record<string, string> } {
  return WS_AUTH_PARAMS;
}

/**
 * `text` with every occurrence of the token replaced by `[redacted]`: a last guard for what a scenario
 * writes (the summary file holds `setup()` data, so a token put there by mistake would be kept).
 */
export function redactToken(text: string): string {
  if (token === undefined || token === '') return text;
  const escaped = JSON.stringify(token).slice(1, -1); // as it appears inside a JSON string (`"` and `\` escaped)
  return text.split(token).join('[redacted]').split(escaped).join('[redacted]');
}
