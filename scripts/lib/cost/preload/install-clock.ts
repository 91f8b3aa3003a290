/**
 * Puts the target on a {@link createVirtualClock virtual clock}: `performance.now`, `performance.timeOrigin`,
 * `Date.now` and the global `setTimeout`, `setInterval`, `clearTimeout`, `clearInterval` follow virtual time
 * from here on (`new Date()` does not: the targets only use it to print marks).
 *
 * Control: the probe writes lines to the target's stdin; `advance <ms>` moves time (the SSE workload's steps).
 * Stdin, not a signal: lines carry the amount and never merge the way pending signals do.
 *
 * On SIGTERM the clock thaws before the target's own handler runs (this listener is registered first): new
 * timers are Node's own again, as the target's shutdown code expects (the broker's session drain, the 1.5 s
 * forced exit). Timers armed before stay frozen, so no periodic work lands in the shutdown. Node's own timers
 * follow the native clock, which the probe freezes too (frozen-clock.ts): the probe closes every connection
 * before SIGTERM, so the shutdown never waits on one.
 */
import { performance } from 'node:perf_hooks';
import { createVirtualClock, type VirtualTimeout } from '../virtual-clock.ts';

type TimerFn = (callback: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) => unknown;

/**
 * Where virtual time starts: fixed, not the real time of this run. Targets format times as text (the SSE `t`
 * field is `(timeOrigin + now).toFixed(3)`), and the digits of a number decide how much work that takes.
 */
export const VIRTUAL_TIME_ORIGIN = 1_700_000_000_000;
export const VIRTUAL_START_NOW = 100;

/** The stdin command that moves the clock. */
export const ADVANCE_COMMAND = /^advance (\d+(?:\.\d+)?)$/;

export function installVirtualClock(): void {
  const real = {
    now: performance.now.bind(performance),
    setTimeout: globalThis.setTimeout as unknown as TimerFn,
    setInterval: globalThis.setInterval as unknown as TimerFn,
    clearTimeout: globalThis.clearTimeout as (handle: unknown) => void,
    clearInterval: globalThis.clearInterval as (handle: unknown) => void,
  };
  const clock = createVirtualClock(VIRTUAL_START_NOW, VIRTUAL_TIME_ORIGIN + VIRTUAL_START_NOW);
  /** Real time at the thaw minus virtual time then; undefined while frozen. */
  let thawOffset: number | undefined;
  const virtualHandles = new WeakSet<object>();
  const track = (handle: VirtualTimeout): VirtualTimeout => {
    virtualHandles.add(handle);
    return handle;
  };
  const isVirtual = (handle: unknown): boolean => typeof handle === 'object' && handle !== null && virtualHandles.has(handle);

  const virtualNow = (): number => (thawOffset === undefined ? clock.now() : real.now() - thawOffset);
  performance.now = virtualNow;
  Object.defineProperty(performance, 'timeOrigin', { value: VIRTUAL_TIME_ORIGIN, configurable: true });
  Date.now = () => Math.floor(clock.epochNow() + (virtualNow() - clock.now()));
  const globals = globalThis as unknown as Record<string, unknown>;
  globals.setTimeout = (callback: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) =>
    thawOffset === undefined ? track(clock.setTimeout(callback, delay, ...args)) : real.setTimeout(callback, delay, ...args);
  globals.setInterval = (callback: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) =>
    thawOffset === undefined ? track(clock.setInterval(callback, delay, ...args)) : real.setInterval(callback, delay, ...args);
  globals.clearTimeout = (handle: unknown) => (isVirtual(handle) ? clock.clear(handle) : real.clearTimeout(handle));
  globals.clearInterval = (handle: unknown) => (isVirtual(handle) ? clock.clear(handle) : real.clearInterval(handle));

  process.on('SIGTERM', () => {
    thawOffset ??= real.now() - clock.now();
  });

  let pending = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    pending += chunk;
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      const match = ADVANCE_COMMAND.exec(line);
      if (match && thawOffset === undefined) clock.advance(Number(match[1]));
      else if (line !== '') process.stderr.write(`cost probe: ignored command ${JSON.stringify(line.slice(0, 80))} (expected "advance <ms>")\n`);
    }
  });
  // The probe closing stdin must not end the target.
  process.stdin.on('error', () => {});
}
