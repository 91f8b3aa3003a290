/** Wall-clock time with sub-millisecond precision, for stamps that clients compare with their own clock. */
import { performance } from 'node:perf_hooks';

/** Tries of a clock that stands still (see below). */
const STILL_CLOCK_TRIES = 3;

/**
 * The epoch time of `performance.now() = 0`, found from the moment `Date.now()` ticks to its next millisecond.
 * `performance.timeOrigin` is Node's own estimate of that, taken while the process starts; on a busy machine
 * start-up is slow and it can be off by milliseconds (a whole run of SSE delivery latencies shifted by -4.7 ms was
 * seen), a per-run offset that lands straight in every latency figure. Watching for the tick costs at most about
 * 1 ms of spinning per try, once per process, and is exact to the spin's resolution (a few µs) when not
 * preempted; the narrowest try is kept, since preemption only widens a try. Tries go on until one is narrower than
 * `goodEnoughMs`: three fixed tries were all preempted once on a 2-core machine running the test suite beside
 * valgrind, and the origin came out 0.23 ms early.
 * @param maxTries most ticks to observe (default 10: at most about 10 ms)
 * @param goodEnoughMs a try this narrow ends the calibration (default 0.02)
 */
export function calibrateEpochOrigin(maxTries = 10, goodEnoughMs = 0.02): number {
  let best = Number.POSITIVE_INFINITY;
  let origin = performance.timeOrigin;
  let stillTries = 0;
  for (let i = 0; i < maxTries && best > goodEnoughMs; i++) {
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
    // A clock that stands still (the cost probe's) gets three tries, as before the tries were extended: the spins are
    // start-up work whose JIT state shows in the probe's counts (one try instead of three moved sse's by -0.4%).
    if (tick === start) {
      if (++stillTries === STILL_CLOCK_TRIES) break;
      continue;
    }
    // The tick happened between `before` and `after`: their width bounds the error of this try.
    if (after - before < best) {
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
