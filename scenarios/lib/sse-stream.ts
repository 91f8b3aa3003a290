/** Reads one SSE stream from a Tidemark-style server and records delivery, gap and error metrics. */
import sse from 'k6/x/sse';
import type { SseEvent } from 'k6/x/sse';
import exec from 'k6/execution';
import { withAuth } from './auth.ts';
import { WARMUP_MS } from './warmup.ts';
import * as m from './sse-metrics.ts';


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

interface EventData {
  seq: number;
  /** Server send time, ms since the epoch with sub-ms precision. */
  t: number;
}

interface LostData {
  lost: number;
  /** Last lost sequence number: the stream goes on after it. */
  to: number;
}

function parseJson<T>(text: string): T | null {
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

/** Opens a stream, reads until `holdMs` or `maxEvents`, and returns what happened. Blocks the iteration. */
export function readStream(opts: StreamOptions): StreamOutcome {
  const tags = opts.tags ?? {};
  const headers: Record<string, string> = withAuth();
  if (opts.lastEventId !== undefined) headers['Last-Event-ID'] = String(opts.lastEventId);
  const started = Date.now();
  let lastId = opts.lastEventId ?? null;
  let events = 0;
  let counted = 0;
  let gapCount = 0;
  let malformed = false;
  let firstSeen = false;
  let openedAt: number | null = null;

  // A stalled stream still ends by itself: events close it on time, the timeout covers silence.
  const timeout = opts.holdMs + 5000;
  const res = sse.open(opts.url, { method: 'GET', headers, tags, timeout }, (client) => {
    client.on('open', () => {
      openedAt = Date.now();
      m.connectTime.add(openedAt - started, tags);
    });
    client.on('event', (event: SseEvent) => {
      const now = event.receivedAt;
      if (event.name === 'lost') {
        // A loss the server reports is counted once here; the ids it covers are not gaps again.
        const lost = parseJson<LostData>(event.data);
        gapCount += lost?.lost ?? 1;
        if (lost !== null) lastId = lost.to;
        return;
      }
      const data = parseJson<EventData>(event.data);
      if (data === null || typeof data.seq !== 'number' || typeof data.t !== 'number') {
        malformed = true;
        client.close();
        return;
      }
      if (!firstSeen) {
        firstSeen = true;
        m.firstEventTime.add(now - started, tags);
        if (opts.lastEventId !== undefined) m.reconnectTime.add(now - started, tags);
      }
      if (lastId !== null) {
        if (data.seq > lastId + 1) gapCount += data.seq - lastId - 1;
        if (data.seq <= lastId) m.duplicates.add(1, tags);
      }
      lastId = data.seq;
      events += 1;
      if (!opts.catchUp || data.t >= started) counted += 1;
      m.eventsReceived.add(1, tags);
      // Warm-up latency samples are left out (they make p99 swing between runs); events still count for gaps and rates.
      if (now - exec.scenario.startTime >= WARMUP_MS) m.deliveryLatency.add(now - data.t, tags);
      const done = now - started >= opts.holdMs || (opts.maxEvents !== undefined && counted >= opts.maxEvents);
      if (done) client.close();
    });
    client.on('error', () => {
      malformed = true;
    });
  });

  // The server produces from the moment it answers: connect time under load is not a shortfall of the stream.
  const heldS = (Date.now() - (openedAt ?? started)) / 1000;
  if (opts.rate !== undefined && res.status === 200) m.eventsExpected.add(opts.rate * heldS, tags);
  // Added even when 0 so the metric (and its threshold) always exists in the summary.
  m.gaps.add(gapCount, tags);
  const ok = res.status === 200 && !malformed;
  m.errors.add(!ok, tags);
  return { ok, status: res.status, lastId, events, gaps: gapCount };
}

/** Builds a stream URL from the base target URL and query parameters. */
export function streamUrl(base: string, params: { rate: number; size: number; topic?: string }): string {
  const query = [`rate=${params.rate}`, `size=${params.size}`];
  if (params.topic) query.push(`topic=${encodeURIComponent(params.topic)}`);
  return `${base}/events?${query.join('&')}`;
}
