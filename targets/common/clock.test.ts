import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { calibrateEpochOrigin, nowEpochMs } from './clock.ts';

describe('calibrated epoch clock', () => {
  it('agrees with Date.now() to well under a millisecond: Date.now() is the stamp floored', () => {
    // Date.now() floors to whole ms, so a correct stamp s satisfies Date.now() <= s < Date.now() + 1 when both are
    // read at once; reads straddling a tick and preemption between reads allow a little slack.
    const offsets: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const wall = Date.now();
      offsets.push(nowEpochMs() - wall);
    }
    offsets.sort((a, b) => a - b);
    expect(offsets[Math.floor(offsets.length * 0.01)]).toBeGreaterThan(-0.1);
    expect(offsets[Math.floor(offsets.length * 0.99)]).toBeLessThan(1.1);
  });

  it('recomputes the origin consistently, within the spin resolution', () => {
    const a = calibrateEpochOrigin();
    const b = calibrateEpochOrigin();
    expect(Math.abs(a - b)).toBeLessThan(0.2);
    expect(Math.abs(a - performance.timeOrigin)).toBeLessThan(1000);
  });
});
