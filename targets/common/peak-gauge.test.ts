import { describe, expect, it } from 'vitest';
import { createPeakGauge } from './peak-gauge.ts';

describe('createPeakGauge', () => {
  it('tracks current and peak, never below 0', () => {
    const g = createPeakGauge();
    g.inc();
    g.inc();
    g.dec();
    g.inc();
    g.inc();
    expect([g.current, g.peak]).toEqual([3, 3]);
    for (let i = 0; i < 5; i++) g.dec();
    expect([g.current, g.peak]).toEqual([0, 3]);
  });
});
