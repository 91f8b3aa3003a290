import { describe, expect, it } from 'vitest';
import { COST_MARGIN_FLOOR, costMargin } from './cost-margin.ts';

describe('cost margin', () => {
  it('is 4 x the widest measured spread', () => {
    expect(costMargin([0.004, 0.001])).toBeCloseTo(0.016);
  });

  it('never goes below 1%, also with no spread measured or one figure per side', () => {
    expect(costMargin([0.0005])).toBe(COST_MARGIN_FLOOR);
    expect(costMargin([0, 0])).toBe(COST_MARGIN_FLOOR);
    expect(costMargin([])).toBe(COST_MARGIN_FLOOR);
    expect(costMargin([Number.NaN])).toBe(COST_MARGIN_FLOOR);
  });

  it('stays under the +5% the gate must catch for spreads up to the 0.5% the probe is held to', () => {
    expect(costMargin([0.005])).toBeLessThan(0.05 / 2);
  });
});

describe('agreeing figures', () => {
  it('keeps the figures within 0.25% of the median, so that one stray JIT event does not widen the margin', async () => {
    const { agreeing, agreedSpread, AGREEMENT } = await import('./cost-margin.ts');
    expect(AGREEMENT).toBe(0.0025);
    const figures = [711_652, 711_802, 698_365];
    expect(agreeing(figures)).toEqual([711_652, 711_802]);
    expect(agreedSpread(figures)).toBeCloseTo(150 / 711_727, 8);
    expect(costMargin([agreedSpread(figures)])).toBe(COST_MARGIN_FLOOR);
    expect(agreedSpread([5])).toBe(0);
    expect(agreeing([])).toEqual([]);
  });
});

describe('more figures until two agree', () => {
  it('adds figures only while fewer than two agree, at most two, and never to a single figure', async () => {
    const { untilAgreed } = await import('./cost-margin.ts');
    const lines: string[] = [];
    const next = (values: number[]) => async () => values.shift() ?? NaN;
    // 1% apart: a third figure decides, and it sides with the first.
    expect(await untilAgreed([100_000, 101_000], next([100_010]), (l) => lines.push(l), 'x')).toEqual([100_000, 101_000, 100_010]);
    expect(lines).toHaveLength(1);
    // Already agreeing: nothing added.
    expect(await untilAgreed([100_000, 100_100], next([1]), () => {}, 'x')).toEqual([100_000, 100_100]);
    // Never agreeing: two more, then given up (the margin then comes from no agreeing pair).
    expect(await untilAgreed([100, 110], next([120, 130, 140]), () => {}, 'x')).toEqual([100, 110, 120, 130]);
    expect(await untilAgreed([100], next([101]), () => {}, 'x')).toEqual([100]);
  });
});
