/** Wall-clock time with sub-millisecond precision, for stamps that clients compare with their own clock. */
import { performance } from 'node:perf_hooks';

/**
 * The epoch time of `performance.now() = 0`, found from the moment `Date.now()` ticks to its next millisecond.
 * `performance.timeOrigin` is Node's own estimate of that, taken while the process starts; on a busy machine
 * start-up is slow and it can be off by milliseconds (a whole run of SSE delivery latencies shifted by -4.7 ms was
 * seen), a per-run offset that lands straight in every latency figure. Watching for the tick costs at most about
 * 1 ms of spinning, once per process, and is exact to the spin's resolution (a few µs) when not preempted; the
 * smallest of a few tries is kept, since preemption only makes a try late.
 * @param tries ticks to observe (default 3)
 */
export function calibrateEpochOrigin(tries = 3): number {
  let best = Number.POSITIVE_INFINITY;
  let origin = performance.timeOrigin;
  for (let i = 0; i < tries; i++) {
    const start = Date.now();
    let before = performance.now();
    let tick = Date.now();
    // Bounded in time (Date.now() moves on within 1 ms; 50 ms covers a preempted spin) and in count, for clocks
    // that stand still (the cost probe's virtual clock): then timeOrigin stays, which is all such a clock needs.
    for (let spins = 0; tick === start && performance.now() - before < 50 && spins < 100_000; spins++) {
      before = performance.now();
      tick = Date.now();
    }
    const after = performance.now();
    // The tick happened between `before` and `after`: their width bounds the error of this try.
    if (tick !== start && after - before < best) {
      best = after - before;
      origin = tick - (before + after) / 2;
    }
  }
  return origin;
}

const EPOCH_ORIGIN = calibrateEpochOrigin();

/**
 * ms since the Unix epoch with µs precision. `Date.now()` has 1 ms resolution, too coarse for
 * latencies below a millisecond; origin + `now()` is as precise as the monotonic clock
 * (and monotonic between two reads in one process).
 */
export function nowEpochMs(): number {
  return EPOCH_ORIGIN + performance.now();
}
