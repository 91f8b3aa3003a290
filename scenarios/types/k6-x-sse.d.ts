// Types for `k6/x/sse`, Tidemark's in-repo k6 extension (k6/sse/*.go). Same
// API shape as xk6-sse, plus `receivedAt` on events, `end_reason` on the
// response, and three additions a script finds by feature (`sse.features`,
// absent from xk6-sse): `params.measure`, `response.measure` and
// `sse.openAsync()`. See docs/ARCHITECTURE.md, "Why an in-repo SSE extension".
declare module 'k6/x/sse' {
  /** Options of `sse.open()`. Every field is optional. */
  export interface SseParams {
    /** HTTP method (default `'GET'`). */
    method?: string;
    /** Request headers. `Accept: text/event-stream` and `Cache-Control: no-cache` are sent unless given here. */
    headers?: Record<string, string>;
    /** Request body (for POST streams). */
    body?: string;
    /**
     * Tags added to the metrics of this stream: the module's own `sse_event` (Counter of events, pushed summed
     * every 500 ms per stream), `sse_open_duration` and `sse_stream_duration` (Trends, ms), and those of `measure`.
     */
    tags?: Record<string, string>;
    /**
     * Longest the whole stream may last: a duration string (`'30s'`, `'250ms'`)
     * or a number of milliseconds. No limit when absent or 0. Elapsing before
     * the response headers is an error (error_code 1050); elapsing while the
     * stream is open ends it normally with `end_reason: 'timeout'`.
     */
    timeout?: string | number;
    /**
     * Measure the stream in the extension, in Go, and emit the figures as k6 metrics: `true` for the
     * defaults, or some options. Without an `'event'` handler no JavaScript then runs per event. Off when
     * absent or `false`. See {@link SseMeasureParams} for the metrics and rules.
     */
    measure?: boolean | SseMeasureParams;
  }

  /**
   * What `params.measure` measures, and when it closes the stream. The metrics (the names Tidemark's
   * JavaScript path uses, scenarios/lib/sse-metrics.ts) carry the stream's tags (the VU's tags plus
   * `params.tags`), not the request's `url`/`method`/`status`:
   *
   * - `sse_events` (Counter): events measured (loss notices excluded);
   * - `sse_delivery_latency` (Trend, ms): receipt time minus the data's `stamp` field;
   * - `sse_first_event` (Trend, ms): request sent to the first event; also `sse_reconnect_time` when
   *   the request carried a `Last-Event-ID` header;
   * - `sse_connect_time` (Trend, ms): request sent to the response headers (status 200);
   * - `sse_gaps` (Counter): ids skipped plus losses reported; one sample per stream at its end, even 0;
   * - `sse_duplicates` (Counter): events whose id was not above the previous one.
   *
   * Counters are pushed summed every 500 ms per stream (totals and rates are unchanged). An event
   * whose id is not an integer (with `ids`) or whose data has no numeric `stamp` field fails the
   * stream: `error_code` 1700, `end_reason` `'error'`, the `'error'` handlers are called.
   */
  export interface SseMeasureParams {
    /**
     * Top-level JSON field of the event data holding the send time, ms since the epoch (default `'t'`).
     * `''`: no latency, and the data is not read.
     */
    stamp?: string;
    /**
     * Count gaps and duplicates from the event ids, which must be integers that strictly increase on
     * the stream (default true). A request with an integer `Last-Event-ID` header starts from that id.
     */
    ids?: boolean;
    /**
     * Event name of loss notices, data `{"lost":N,"to":LAST}`: N gaps, and the ids continue after LAST
     * (default `'lost'`; `''`: none). A notice is not an event and needs no id.
     */
    lossEvent?: string;
    /** Leave out the latency of events received before this time, ms since the epoch: a warm-up (default 0). */
    latencyFrom?: number;
    /** Close the stream at the first event received this long after the request was sent, ms (default 0: never). */
    holdMs?: number;
    /** Close the stream once this many events counted (default 0: no limit). */
    maxEvents?: number;
    /** Events stamped before this time (ms since the epoch) do not count toward `maxEvents`: replayed history (default 0). */
    countFrom?: number;
  }

  /** `response.measure`: the per-stream figures of `params.measure`. Times are ms since the epoch. */
  export interface SseMeasureSummary {
    events: number;
    gaps: number;
    duplicates: number;
    /** Last id seen (or the `Last-Event-ID` resumed from, or a loss notice's `to`); null if none. */
    last_id: number | null;
    /** When the response headers arrived; null if they did not. */
    opened_at: number | null;
    /** When the first measured event arrived; null if none did. */
    first_event_at: number | null;
  }

  /** One event of the stream. Comment lines (heartbeats) are never delivered. */
  export interface SseEvent {
    /** Last event id seen on this stream (EventSource semantics: an event without `id:` repeats the previous one). `''` if none yet. */
    id: string;
    /** The `event:` field; `''` for unnamed events (EventSource would say `'message'`). */
    name: string;
    /** The `data:` lines joined with `'\n'`. */
    data: string;
    /**
     * When k6 parsed the event: ms since the Unix epoch, with µs precision (a float). Tidemark's extension only:
     * absent with xk6-sse, where `scenarios/lib/sse-received-at.ts` falls back to the JavaScript clock.
     */
    receivedAt?: number;
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
    /** Present when `params.measure` was set. */
    measure?: SseMeasureSummary;
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

  export interface SseModule {
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
    /**
     * `open()` as a Promise: the stream is read on a goroutine of its own and the VU stays free, so one
     * VU can hold many streams (`await Promise.all([...])`) and timers run (a timer may call
     * `client.close()`). Handlers run on the VU's event loop, one event at a time, in order. With
     * `params.measure` and no `'event'` handler no JavaScript runs per event. Rejects with a handler's
     * exception or an invalid argument. Tidemark only: check `sse.features?.openAsync`.
     */
    openAsync(url: string, params: SseParams | null | undefined, fn: (client: SseClient) => void): Promise<SseResponse>;
    openAsync(url: string, fn: (client: SseClient) => void): Promise<SseResponse>;
    /** Tidemark's additions, for detection by feature: xk6-sse has no `features`. */
    features: SseFeatures;
  }

  /** What this extension adds to the xk6-sse API. */
  export interface SseFeatures {
    /** `params.measure` and `response.measure`. */
    measure: true;
    /** `sse.openAsync()`. */
    openAsync: true;
  }

  const sse: SseModule;
  export default sse;
}
