/** Monotonic counters of the in-memory backend; the `/stats` gauges are computed on demand. */
import type { BackendStats } from '../backend.ts';

/** The counter part of {@link BackendStats}. */
export type MemoryCounters = Pick<
  BackendStats,
  | 'published'
  | 'delivered'
  | 'redelivered'
  | 'acked'
  | 'nacked'
  | 'ackTimeouts'
  | 'unknownAcks'
  | 'backlogFull'
  | 'errorsInjected'
  | 'droppedByFault'
  | 'durableExpired'
>;

export function newMemoryCounters(): MemoryCounters {
  return {
    published: 0,
    delivered: 0,
    redelivered: 0,
    acked: 0,
    nacked: 0,
    ackTimeouts: 0,
    unknownAcks: 0,
    backlogFull: 0,
    errorsInjected: 0,
    droppedByFault: 0,
    durableExpired: 0,
  };
}
