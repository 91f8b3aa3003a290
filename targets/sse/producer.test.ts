import { describe, expect, it } from 'vitest';
import { RateProducer } from './producer.ts';

describe('RateProducer', () => {
  it('emits the first event at once and keeps the rate over time', async () => {
    let n = 0;
    const p = new RateProducer(400, (count) => (n += count));
    p.start();
    expect(n).toBe(1);
    await new Promise((r) => setTimeout(r, 500));
    p.stop();
    expect(n).toBeGreaterThanOrEqual(190);
    expect(n).toBeLessThanOrEqual(210);
  });

  it('catches up after a stall in bounded bursts, and skips beyond 1 s of debt', async () => {
    const bursts: number[] = [];
    let skipped = 0;
    const p = new RateProducer(100, (count) => bursts.push(count), (s) => (skipped += s));
    p.start();
    const until = Date.now() + 1300;
    while (Date.now() < until) {
      // block the event loop for 1.3 s
    }
    await new Promise((r) => setTimeout(r, 50));
    p.stop();
    expect(Math.max(...bursts)).toBeLessThanOrEqual(10); // 100 ms worth per wake-up
    expect(skipped).toBeGreaterThanOrEqual(20);
    expect(p.skipped).toBe(skipped);
  });
});
