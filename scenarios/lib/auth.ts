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

/** `headers` plus the auth header when there is one (a new object; `headers` is not changed). */
export function withAuth(headers: Record<string, string> = {}): Record<string, string> {
  return { ...headers, ...AUTH_HEADERS };
}

/** Params of `new WebSocket(url, null, params)` (k6/websockets) carrying the auth header. */
export function wsAuthParams(): { headers: Record<string, string> } {
  return { headers: withAuth() };
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
