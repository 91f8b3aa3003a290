import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { VwapWindow } from './vwap.ts';

/** The definition, computed the slow way: every tick within the window and among the last maxTicks. */
function reference(ticks: [number, number, number][], now: number, windowMs: number, maxTicks: number): number {
  const inWindow = ticks.filter(([t]) => t >= now - windowMs).slice(-maxTicks);
  const notional = inWindow.reduce((s, [, p, q]) => s + p * q, 0);
  const size = inWindow.reduce((s, [, , q]) => s + q, 0);
  return notional / size;
}

describe('VwapWindow', () => {
  it('weights prices by size', () => {
    const w = new VwapWindow(1000, 100);
    w.add(0, 10, 1);
    expect(w.add(1, 20, 3)).toBe(17.5);
    expect(w.length).toBe(2);
  });

  it('forgets ticks older than the window and beyond maxTicks', () => {
    const w = new VwapWindow(100, 3);
    w.add(0, 1, 1);
    w.add(50, 2, 1);
    expect(w.add(120, 3, 1)).toBe(2.5); // the tick at 0 fell out of the window
    w.add(121, 4, 1);
    expect(w.add(122, 5, 1)).toBe(4); // only the last 3 ticks
    expect(w.length).toBe(3);
  });

  it('matches the definition for any tick sequence (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.double({ min: 0.01, max: 1e6, noNaN: true }), fc.double({ min: 0.001, max: 1e6, noNaN: true })), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 1, max: 64 }),
        (steps, windowMs, maxTicks) => {
          const w = new VwapWindow(windowMs, maxTicks);
          const seen: [number, number, number][] = [];
          let now = 0;
          for (const [dt, price, size] of steps) {
            now += dt;
            seen.push([now, price, size]);
            const got = w.add(now, price, size);
            const want = reference(seen, now, windowMs, maxTicks);
            expect(Math.abs(got - want) / want).toBeLessThan(1e-9);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
