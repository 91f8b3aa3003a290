/** What a scenario asks of one SSE stream, and what it gets back: shared by the Go and JavaScript measuring paths. */
import type { SseParams } from 'k6/x/sse';
import { withAuth } from './auth.ts';

export interface StreamOptions {
  /** Full URL of the stream (with rate, size and topic query parameters). */
  url: string;
  /** Close the stream once it has been held this long, ms (checked on each event, so within 1/rate). */
  holdMs: number;
  /** Close after this many events (default: no limit). */
  maxEvents?: number;
  /**
   * Replayed events (sent before the stream opened) do not count toward `maxEvents`: a resumed stream reads what
   * it missed, then `maxEvents` live ones. Without it a client reading a few events per visit falls further behind
   * a topic on every resume, and over minutes its replays grow without bound. "Before the stream opened" compares
   * the server's send stamp with this machine's clock: one clock on loopback; against a remote target clock skew
   * moves the boundary by the skew. Default false.
   */
  catchUp?: boolean;
  /** Sequence number to resume after, sent as `Last-Event-ID` (default: none, start live). */
  lastEventId?: number;
  /** Events per second the stream was asked for, to count the events expected (default: none counted). */
  rate?: number;
  /** Extra tags for every sample of this stream (default none). */
  tags?: Record<string, string>;
}

export interface StreamOutcome {
  ok: boolean;
  status: number;
  /** Last sequence number seen (or the one resumed from when nothing arrived). */
  lastId: number | null;
  events: number;
  gaps: number;
}

/** The request part of `sse.open`'s params: auth and resume headers, tags, and a timeout so a silent stream ends too. */
export function streamParams(opts: StreamOptions): SseParams {
  const headers: Record<string, string> = withAuth();
  if (opts.lastEventId !== undefined) headers['Last-Event-ID'] = String(opts.lastEventId);
  // Events close the stream on time; the timeout covers silence.
  return { method: 'GET', headers, tags: opts.tags ?? {}, timeout: opts.holdMs + 5000 };
}

/** Builds a stream URL from the base target URL and query parameters. */
export function streamUrl(base: string, params: { rate: number; size: number; topic?: string }): string {
  const query = [`rate=${params.rate}`, `size=${params.size}`];
  if (params.topic) query.push(`topic=${encodeURIComponent(params.topic)}`);
  return `${base}/events?${query.join('&')}`;
}
