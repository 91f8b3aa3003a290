/** Wall-clock time with sub-millisecond precision, for stamps that clients compare with their own clock. */
import { performance } from 'node:perf_hooks';

/**
 * ms since the Unix epoch with µs precision. `Date.now()` has 1 ms resolution, too coarse for
 * latencies below a millisecond; `timeOrigin + now()` is as precise as the monotonic clock
 * (and monotonic between two reads in one process).
 */
export function nowEpochMs(): number {
  return performance.timeOrigin + performance.now();
}
