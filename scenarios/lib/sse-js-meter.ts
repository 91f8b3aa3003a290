/**
 * The JavaScript measuring path: an `event` handler that measures every event of one stream (delivery latency,
 * first event, ids, gaps, duplicates) and closes the stream on its hold time or event count. It runs where the
 * SSE extension cannot measure in Go (k6/sse/meter.go keeps the same rules), and as the reference the Go path is
 * checked against (tests/sse-go-measure.test.ts).
 */
import exec from 'k6/execution';
import type { SseClient, SseEvent } from 'k6/x/sse';
import * as m from './sse-metrics.ts';
import type { StreamOptions } from './sse-stream-options.ts';
import { WARMUP_MS } from './warmup.ts';
import { receivedAt } from './sse-received-at.ts';

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

/** One stream's JavaScript meter: register its handlers on the client, then read its figures once the stream ended. */
export interface JsMeter {
  onOpen: () => void;
  onEvent: (client: SseClient, event: SseEvent) => void;
  onError: () => void;
  /** When the `open` handler ran (ms since the epoch), null if it did not. */
  openedAt: () => number | null;
  /** Last sequence number seen (or the one resumed from when nothing arrived). */
  lastId: () => number | null;
  events: () => number;
  gaps: () => number;
  /** A failure was reported, or an event's data could not be read. */
  malformed: () => boolean;
}

/**
 * A meter for one stream whose request starts at `started` (ms since the epoch). Its samples carry `tags`; the
 * gaps are added by the caller once the stream has ended (one sample per stream, even 0).
 */
export function jsMeter(opts: StreamOptions, started: number, tags: Record<string, string>): JsMeter {
  const latencyFrom = exec.scenario.startTime + WARMUP_MS;
  let lastId = opts.lastEventId ?? null;
  let events = 0;
  let counted = 0;
  let gapCount = 0;
  let malformed = false;
  let firstSeen = false;
  let openedAt: number | null = null;

  return {
    onOpen: () => {
      openedAt = Date.now();
      m.connectTime.add(openedAt - started, tags);
    },
    onEvent: (client, event) => {
      const now = receivedAt(event);
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
      if (now >= latencyFrom) m.deliveryLatency.add(now - data.t, tags);
      const done = now - started >= opts.holdMs || (opts.maxEvents !== undefined && counted >= opts.maxEvents);
      if (done) client.close();
    },
    onError: () => {
      malformed = true;
    },
    openedAt: () => openedAt,
    lastId: () => lastId,
    events: () => events,
    gaps: () => gapCount,
    malformed: () => malformed,
  };
}
