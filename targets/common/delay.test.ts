import { describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { createDelayLine, preciseDelay } from './delay.ts';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('preciseDelay', () => {
  it('honours sub-millisecond delays (a plain timer would take >= 1 ms)', async () => {
    const took: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      await preciseDelay(0.3);
      took.push(performance.now() - t0);
    }
    expect(Math.min(...took)).toBeGreaterThanOrEqual(0.3);
    expect(median(took)).toBeLessThan(0.9);
  });

  it('honours fractional delays above a millisecond', async () => {
    const t0 = performance.now();
    await preciseDelay(5.5);
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(5.5);
    expect(took).toBeLessThan(15);
  });
});

describe('createDelayLine', () => {
  it('runs items in order, each after the delay, overlapping the waits', async () => {
    const line = createDelayLine(20);
    const t0 = performance.now();
    const ran: [number, number][] = [];
    for (let i = 0; i < 5; i++) {
      const scheduled = performance.now();
      line.schedule(() => ran.push([i, performance.now() - scheduled]));
      await new Promise((r) => setTimeout(r, 2));
    }
    await new Promise((r) => setTimeout(r, 40));
    expect(ran.map(([i]) => i)).toEqual([0, 1, 2, 3, 4]);
    for (const [, waited] of ran) expect(waited).toBeGreaterThanOrEqual(20);
    expect(performance.now() - t0).toBeLessThan(200); // not 5 x 20 ms in series plus more
    expect(line.pending).toBe(0);
  });

  it('is synchronous with 0 delay and forgets pending items on clear', async () => {
    let n = 0;
    createDelayLine(0).schedule(() => n++);
    expect(n).toBe(1);
    const line = createDelayLine(5);
    line.schedule(() => n++);
    line.clear();
    await new Promise((r) => setTimeout(r, 20));
    expect(n).toBe(1);
  });
});
