/**
 * One client's event stream and the single place where bytes are written to it,
 * so faults, counters and the slow-client bound apply to every write alike.
 */
import type { ServerResponse } from 'node:http';
import type { Faults } from '../common/faults.ts';
import type { HandlingTime } from '../common/handling-time.ts';
import type { SseCounters } from './counters.ts';
import { nowEpochMs } from './frame.ts';

/**
 * Bytes for one write. Topics pre-encode each event to a Buffer once so that
 * writing it to N sockets copies no string N times; private streams write their
 * string directly (one write each, nothing to share). Frames are ASCII, so
 * `length` is the byte count for both kinds.
 */
export type Frame = string | Buffer;

/** Per-connection state, kept tiny on purpose (memory per connection is a gated figure). */
export interface Stream {
  readonly res: ServerResponse;
  /** Topic events with id <= after are not written (already seen by a resuming client). */
  after: number;
  /** `TIDEMARK_FAULT_MEM_KB` ballast, released with the stream. */
  ballast: Buffer | undefined;
}

/** What writing needs; one per server. */
export interface Delivery {
  readonly faults: Faults;
  readonly counters: SseCounters;
  /** Unsent bytes above which a client is disconnected. */
  readonly maxBufferedBytes: number;
  /** Time from an event's production (its `t` stamp) to the end of its write; undefined when off. */
  readonly handling?: HandlingTime | undefined;
}

/**
 * Slow consumer: rather than let its queue (and our RSS) grow without bound we
 * cut it; the client can reconnect with Last-Event-ID and will be told about
 * what it missed. Destroy emits 'close', which runs the normal clean-up.
 */
function enforceBound(d: Delivery, res: ServerResponse): void {
  if (res.writableLength > d.maxBufferedBytes) {
    d.counters.slowDisconnects++;
    res.destroy();
  }
}

/**
 * Writes one event: one operation, subject to the drop and CPU faults.
 * @param producedAt the event's `t` stamp (nowEpochMs at production), to time its handling; default none
 *   (a replay of an old event: its age is not handling time)
 */
export function deliverEvent(d: Delivery, s: Stream, frame: Frame, producedAt?: number): void {
  const res = s.res;
  if (res.destroyed) return;
  if (d.faults.shouldDrop()) {
    d.counters.droppedByFault++;
    return;
  }
  d.faults.burn();
  res.write(frame);
  d.counters.eventsSent++;
  d.counters.bytesSent += frame.length;
  if (producedAt !== undefined) d.handling?.record(nowEpochMs() - producedAt);
  enforceBound(d, res);
}

/** Writes a control frame (retry, heartbeat, loss notice): never dropped, not an operation. */
export function writeControl(d: Delivery, s: Stream, frame: string): void {
  const res = s.res;
  if (res.destroyed) return;
  res.write(frame);
  d.counters.bytesSent += frame.length;
  enforceBound(d, res);
}
