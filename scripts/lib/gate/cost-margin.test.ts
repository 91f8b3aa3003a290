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

describe('margin for figures on two levels', () => {
  it("stays 1.25 times above a side's whole spread, so an unchanged tree on two levels stays inside and +5% does not", async () => {
    const { marginForFigures, MODE_GAP_FACTOR } = await import('./cost-margin.ts');
    const { deterministicVerdict } = await import('./decision-rules.ts');
    // jsonrpc's 10 figures of commit 6efa71d: seven at about 709,300, three at about 723,000.
    const jsonrpc = [709_316, 723_143, 709_610, 709_481, 709_224, 723_325, 709_037, 709_020, 722_544, 709_367];
    const margin = marginForFigures(jsonrpc);
    expect(margin).toBeCloseTo(MODE_GAP_FACTOR * ((723_325 - 709_020) / 709_423.5), 6);
    expect(margin).toBeGreaterThan(0.02);
    expect(margin).toBeLessThan(0.03);
    // A/A with the sides on different levels: inside the margin. +5% on the adverse levels: beyond it.
    expect(deterministicVerdict([709_300, 709_300], [723_300, 723_300], 'lower', margin).verdict).toBe('unchanged');
    expect(deterministicVerdict([723_300, 723_300], [709_300 * 1.05, 709_300 * 1.05], 'lower', margin).verdict).toBe('regression');
    // Figures on one level: the agreeing spread's rule, at its floor here.
    expect(marginForFigures([33_775, 33_777], [33_776])).toBe(COST_MARGIN_FLOOR);
    expect(marginForFigures([], [1])).toBe(COST_MARGIN_FLOOR);
  });
});
