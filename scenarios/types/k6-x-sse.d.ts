// Types for `k6/x/sse`, Tidemark's in-repo k6 extension (k6/sse/*.go). Same
// API shape as xk6-sse, plus `receivedAt` on events and `end_reason` on the
// response. See docs/ARCHITECTURE.md, "Why an in-repo SSE extension".
declare module 'k6/x/sse' {
  /** Options of `sse.open()`. Every field is optional. */
  export interface SseParams {
    /** HTTP method (default `'GET'`). */
    method?: string;
    /** Request headers. `Accept: text/event-stream` and `Cache-Control: no-cache` are sent unless given here. */
    headers?: Record<string, string>;
    /** Request body (for POST streams). */
    body?: string;
    /** Tags added to the metrics of this stream (`sse_event`, `sse_open_duration`, `sse_stream_duration`). */
    tags?: Record<string, string>;
    /**
     * Longest the whole stream may last: a duration string (`'30s'`, `'250ms'`)
     * or a number of milliseconds. No limit when absent or 0. Elapsing before
     * the response headers is an error (error_code 1050); elapsing while the
     * stream is open ends it normally with `end_reason: 'timeout'`.
     */
    timeout?: string | number;
  }

  /** One event of the stream. Comment lines (heartbeats) are never delivered. */
  export interface SseEvent {
    /** Last event id seen on this stream (EventSource semantics: an event without `id:` repeats the previous one). `''` if none yet. */
    id: string;
    /** The `event:` field; `''` for unnamed events (EventSource would say `'message'`). */
    name: string;
    /** The `data:` lines joined with `'\n'`. */
    data: string;
    /** When k6 parsed the event: ms since the Unix epoch, with µs precision (a float). */
    receivedAt: number;
  }

  /** What `'error'` handlers receive. */
  export interface SseError {
    /** The error message. */
    error(): string;
    /** Same number as the response's `error_code`. */
    code: number;
  }

  /** Why `open()` returned. */
  export type SseEndReason =
    /** `client.close()` was called. */
    | 'client'
    /** The server ended the response. */
    | 'server'
    /** The `timeout` param elapsed while the stream was open. */
    | 'timeout'
    /** The VU's context ended (test end after gracefulStop, abort). */
    | 'interrupted'
    /** Connection failure, non-200 status or a broken stream (see `error`). */
    | 'error';

  /** What `sse.open()` returns once the stream has ended. */
  export interface SseResponse {
    /** Final URL (after redirects). */
    url: string;
    /** HTTP status; 0 when no response arrived. */
    status: number;
    /** Response headers, canonical names (`Content-Type`), repeated values joined with `', '`. */
    headers: Record<string, string>;
    /** `''` unless the stream failed. */
    error: string;
    /**
     * 0 unless the stream failed. k6 http's numbers where one fits: 1000 generic,
     * 1020 invalid URL, 1050 timeout before headers, 1100 DNS, 1200 TCP,
     * 1210 dial, 1211 dial timeout, 1212 connection refused, 1220 reset by peer,
     * 1700 malformed stream (event over 1 MiB), 1000 + status for any status other than 200.
     */
    error_code: number;
    end_reason: SseEndReason;
  }

  export type SseEventName = 'open' | 'event' | 'error';

  /** The client given to `open()`'s function; only valid inside that call and its handlers. */
  export interface SseClient {
    /** Called once the response headers (status 200) arrived. */
    on(event: 'open', handler: () => void): void;
    /** Called for every event, in order. */
    on(event: 'event', handler: (event: SseEvent) => void): void;
    /** Called on a connection failure, a non-200 status or a broken stream; `open()` then returns (it does not throw). */
    on(event: 'error', handler: (error: SseError) => void): void;
    /** Ends the stream once the current handler returns; `open()` then returns with `end_reason: 'client'`. */
    close(): void;
  }

  interface SseModule {
    /**
     * Opens a stream and blocks the iteration until it ends: the server ends
     * it, `client.close()`, `params.timeout`, or the VU's context ends. `fn`
     * runs first (register handlers there), then the request is sent.
     * Handlers run on the VU's JS thread; timers (`setTimeout`) do not fire
     * while a stream is open, so close from a handler or use `timeout`.
     * A handler that throws ends the stream and the exception propagates.
     */
    open(url: string, params: SseParams | null | undefined, fn: (client: SseClient) => void): SseResponse;
    open(url: string, fn: (client: SseClient) => void): SseResponse;
  }

  const sse: SseModule;
  export default sse;
}
