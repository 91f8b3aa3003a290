/**
 * A clock that stands still unless told to move, for the cost probe's target process.
 *
 * Under valgrind a target runs tens of times slower, and how slow depends on the machine's load. Everything
 * the targets do by the clock would then be counted in proportion to wall time: the broker's 50 ms ack-timeout
 * scan, the price engine's 1 s latency rotation, the SSE producers' timers (how many events each wake-up
 * emits, how many wake-ups share one event-loop turn). With this clock installed, `performance.now()`,
 * `Date.now()` and the global timers follow virtual time, which moves only by {@link VirtualClock.advance}: a
 * request/response workload runs with time standing still (no periodic work at all), and the SSE workload
 * moves time in fixed steps, each firing the same timers in the same order.
 *
 * Timers due in one advance run in due order (ties in creation order), back to back in one macrotask:
 * microtasks and `process.nextTick` callbacks run after the last, not between them as in Node. Immediates,
 * I/O and Node's internal timers (HTTP header timeouts, socket timeouts) are untouched.
 */

/** What a timer handle offers: the parts of Node's `Timeout` the targets and their libraries use. */
export interface VirtualTimeout {
  readonly id: number;
  ref(): this;
  unref(): this;
  hasRef(): boolean;
  /** Re-arms it for its full delay from now (virtual). */
  refresh(): this;
  close(): this;
  [Symbol.toPrimitive](): number;
}

interface Entry {
  handle: VirtualTimeout;
  due: number;
  seq: number;
  delay: number;
  repeat: boolean;
  callback: (...args: unknown[]) => void;
  args: unknown[];
}

export interface VirtualClock {
  /** Virtual `performance.now()`, ms. */
  now(): number;
  /** Virtual `Date.now()`, ms since the epoch. */
  epochNow(): number;
  setTimeout(callback: (...args: unknown[]) => void, delay?: number, ...args: unknown[]): VirtualTimeout;
  setInterval(callback: (...args: unknown[]) => void, delay?: number, ...args: unknown[]): VirtualTimeout;
  /** Cancels a handle or its numeric id; anything else is ignored, as Node does. */
  clear(handle: unknown): void;
  /** Moves time forward by `ms`, running every timer due on the way, in due order. Returns how many ran. */
  advance(ms: number): number;
  /** Timers waiting. */
  pending(): number;
}

/** Node clamps delays below 1 ms (and non-numbers) to 1 ms; so does this clock. */
function clampDelay(delay: unknown): number {
  const ms = Number(delay);
  return Number.isFinite(ms) && ms >= 1 ? ms : 1;
}

/**
 * A virtual clock starting at `startNow` (performance.now() ms) and `startEpoch` (Date.now() ms).
 * @param startNow virtual `performance.now()` at creation
 * @param startEpoch virtual `Date.now()` at creation
 */
export function createVirtualClock(startNow: number, startEpoch: number): VirtualClock {
  let current = startNow;
  let seq = 0;
  let nextId = 1;
  const entries = new Map<number, Entry>();

  const schedule = (entry: Entry): void => {
    entry.due = current + entry.delay;
    entry.seq = seq++;
    entries.set(entry.handle.id, entry);
  };

  const create = (repeat: boolean, callback: (...args: unknown[]) => void, delay: unknown, args: unknown[]): VirtualTimeout => {
    if (typeof callback !== 'function') throw new TypeError('The "callback" argument must be of type function');
    let refed = true;
    const id = nextId++;
    const handle: VirtualTimeout = {
      id,
      ref() {
        refed = true;
        return this;
      },
      unref() {
        refed = false;
        return this;
      },
      hasRef: () => refed,
      refresh() {
        const entry = entries.get(id);
        if (entry) schedule(entry);
        return this;
      },
      close() {
        entries.delete(id);
        return this;
      },
      [Symbol.toPrimitive]: () => id,
    };
    schedule({ handle, due: 0, seq: 0, delay: clampDelay(delay), repeat, callback, args });
    return handle;
  };

  /** The entry due first (ties: the one scheduled first), if it is due by `limit`. */
  const nextDue = (limit: number): Entry | undefined => {
    let best: Entry | undefined;
    for (const e of entries.values()) {
      if (e.due <= limit && (best === undefined || e.due < best.due || (e.due === best.due && e.seq < best.seq))) best = e;
    }
    return best;
  };

  return {
    now: () => current,
    epochNow: () => startEpoch + (current - startNow),
    setTimeout: (callback, delay, ...args) => create(false, callback, delay, args),
    setInterval: (callback, delay, ...args) => create(true, callback, delay, args),
    clear(handle) {
      if (typeof handle === 'number') entries.delete(handle);
      else if (typeof handle === 'object' && handle !== null && 'id' in handle && typeof handle.id === 'number') entries.delete(handle.id);
    },
    advance(ms) {
      if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`advance(${ms}): expected a finite number of ms >= 0`);
      const target = current + ms;
      let ran = 0;
      for (let entry = nextDue(target); entry !== undefined; entry = nextDue(target)) {
        current = entry.due;
        if (entry.repeat) schedule(entry);
        else entries.delete(entry.handle.id);
        ran++;
        entry.callback.call(entry.handle, ...entry.args);
      }
      current = target;
      return ran;
    },
    pending: () => entries.size,
  };
}
