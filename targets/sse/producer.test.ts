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

  it('catches up after a stall with at most 1 s worth, skipping (and counting) the rest', async () => {
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
    expect(Math.max(...bursts)).toBe(100); // 1 s worth at 100/s
    expect(bursts.reduce((a, b) => a + b, 0) + skipped).toBeGreaterThanOrEqual(130);
    expect(skipped).toBeGreaterThanOrEqual(20);
    expect(p.skipped).toBe(skipped);
  });
});
