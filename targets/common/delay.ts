/**
 * Precise delays for the `TIDEMARK_FAULT_DELAY_MS` knob.
 *
 * Node timers have 1 ms granularity and usually fire up to ~1 ms late, so a plain
 * `setTimeout(fn, 0.3)` would add ~1 ms, not 0.3 ms. We wait with a timer for the
 * whole-millisecond part minus a 1 ms safety margin, then poll with `setImmediate`
 * until the exact deadline on the monotonic clock. Polling yields to I/O between
 * checks (other connections keep being served), at the honest cost of CPU spent
 * while the deadline is near; that cost exists only while the knob is set.
 */
import { performance } from 'node:perf_hooks';

/** Below this remaining time we poll with setImmediate instead of arming a timer. */
const TIMER_SLACK_MS = 1;

/** Calls `fn` at `deadline` (performance.now() ms), not earlier, about 0.05 ms later at most when idle. */
export function runAt(deadline: number, fn: () => void): void {
  const step = (): void => {
    const remaining = deadline - performance.now();
    if (remaining <= 0) fn();
    else if (remaining > TIMER_SLACK_MS + 0.5) setTimeout(step, Math.floor(remaining - TIMER_SLACK_MS));
    else setImmediate(step);
  };
  step();
}

/** Promise form of {@link runAt}: resolves after `ms` (fractions honoured); 0 or less resolves on the next microtask. */
export function preciseDelay(ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => runAt(performance.now() + ms, resolve));
}

/** A FIFO that runs each scheduled function `delayMs` after it was scheduled. */
export interface DelayLine {
  /** Runs `fn` after the delay, in scheduling order; synchronously when the delay is 0. */
  schedule(fn: () => void): void;
  /** Forgets every pending function (used when the owner stops). */
  clear(): void;
  /** Functions waiting. */
  readonly pending: number;
}

/**
 * A delay line keeps order and overlaps the waits: a producer emitting every 1 ms
 * with a 5 ms delay still emits every 1 ms, each item 5 ms late. One timer is armed
 * at a time (for the head), so many pending items cost one array slot each.
 * @param delayMs added latency in ms (fractions allowed); 0 makes `schedule` synchronous
 */
export function createDelayLine(delayMs: number): DelayLine {
  const queue: { due: number; fn: () => void }[] = [];
  let head = 0;
  let armed = false;
  let generation = 0;

  const pump = (gen: number): void => {
    if (gen !== generation) return; // cleared meanwhile
    armed = false;
    const now = performance.now();
    while (head < queue.length && queue[head]!.due <= now) {
      const item = queue[head]!;
      queue[head++] = undefined as never; // release the closure early
      item.fn();
      if (gen !== generation) return; // fn cleared the line
    }
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
      return;
    }
    if (head > 1024 && head * 2 > queue.length) {
      // A busy line may never drain: drop the consumed prefix so the array stays bounded.
      queue.splice(0, head);
      head = 0;
    }
    armed = true;
    runAt(queue[head]!.due, () => pump(gen));
  };

  return {
    schedule(fn) {
      if (delayMs <= 0) {
        fn();
        return;
      }
      queue.push({ due: performance.now() + delayMs, fn });
      if (!armed) {
        armed = true;
        const gen = generation;
        runAt(queue[head]!.due, () => pump(gen));
      }
    },
    clear() {
      generation++;
      queue.length = 0;
      head = 0;
      armed = false;
    },
    get pending() {
      return queue.length - head;
    },
  };
}
