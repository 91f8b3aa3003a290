/** Monotonic counters of the SSE target, reported by `/stats`. */

export interface SseCounters {
  /** Events written to a client (the target's `ops`): one per event per subscriber, replays included. */
  eventsSent: number;
  /** Bytes written on event streams (events, heartbeats, retry and loss notices; not HTTP framing). */
  bytesSent: number;
  /** Events created by producers (a topic event counts once however many subscribers get it). */
  eventsProduced: number;
  /** Event writes skipped by `TIDEMARK_FAULT_DROP_RATE`. */
  droppedByFault: number;
  /** `/events` requests answered 500 by `TIDEMARK_FAULT_ERROR_RATE`. */
  errorsInjected: number;
  /** Streams opened with a Last-Event-ID. */
  resumes: number;
  /** Events reported lost in `event: lost` notices (sum of their `lost`). */
  lostReported: number;
  /** `event: lost` notices sent. */
  lostNotices: number;
  /** Clients disconnected because their unsent bytes exceeded the bound. */
  slowDisconnects: number;
  /** Producer slots given up after an event-loop stall longer than 1 s. */
  scheduleSkipped: number;
  /** Requests refused, by reason. */
  rejected: { badRequest: number; conflict: number; overload: number; notFound: number; methodNotAllowed: number };
}

export function newCounters(): SseCounters {
  return {
    eventsSent: 0,
    bytesSent: 0,
    eventsProduced: 0,
    droppedByFault: 0,
    errorsInjected: 0,
    resumes: 0,
    lostReported: 0,
    lostNotices: 0,
    slowDisconnects: 0,
    scheduleSkipped: 0,
    rejected: { badRequest: 0, conflict: 0, overload: 0, notFound: 0, methodNotAllowed: 0 },
  };
}
