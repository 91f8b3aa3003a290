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
