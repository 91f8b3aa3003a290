import { describe, expect, it } from 'vitest';
import { holm, logPaired, logTwoSample, pairedT, twoSampleT } from './stats.ts';

describe('twoSampleT (Welch)', () => {
  // Reference: the worked example 1 of the Welch's t-test article (Wikipedia): t = -2.46, df = 24.99, p = 0.021.
  const a1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
  const a2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
  it('matches the published example', () => {
    const r = twoSampleT(a2, a1);
    expect(r?.method).toBe('welch');
    expect(r?.t).toBeCloseTo(-2.46, 2);
    expect(r?.df).toBeCloseTo(24.99, 1);
    expect(r?.p).toBeCloseTo(0.021, 3);
  });

  it('uses the other side variance when one side has one run, and refuses too few', () => {
    const r = twoSampleT([10, 12, 11], [14]);
    expect(r?.method).toBe('pooled');
    expect(r?.df).toBe(2);
    expect(r?.diff).toBeCloseTo(3, 10);
    expect(twoSampleT([1], [2])).toBeNull();
  });
});

describe('pairedT', () => {
  // Reference: R, t.test(sleep$extra[1:10], sleep$extra[11:20], paired = TRUE): t = -4.0621, df = 9, p = 0.002833.
  it('matches R on the sleep data', () => {
    const g1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
    const g2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];
    const r = pairedT(g1.map((x, i) => x - (g2[i] as number)));
    expect(r?.t).toBeCloseTo(-4.0621, 3);
    expect(r?.df).toBe(9);
    expect(r?.p).toBeCloseTo(0.002833, 5);
  });
});

describe('log-scale tests', () => {
  it('report the ratio of geometric means with an interval around it', () => {
    const base = [10, 10.2, 9.8, 10.1, 9.9];
    const slower = base.map((x) => x * 1.2);
    const r = logTwoSample(base, slower);
    expect(r?.ratio).toBeCloseTo(1.2, 10);
    expect(r!.ciLow).toBeLessThan(1.2);
    expect(r!.ciHigh).toBeGreaterThan(1.2);
    expect(r!.ciLow).toBeGreaterThan(1.15);
    expect(r!.p).toBeLessThan(1e-6);
  });

  it('find no difference in identical samples and refuse non-positive values', () => {
    const same = logTwoSample([5, 6, 7], [5, 6, 7]);
    expect(same?.ratio).toBeCloseTo(1, 12);
    expect(same?.p).toBeCloseTo(1, 12);
    expect(logTwoSample([0, 1, 2], [1, 2, 3])).toBeNull();
  });

  it('pair runs so that shared drift cancels', () => {
    const a = [10, 20, 15, 30];
    const b = a.map((x, i) => x * (1.1 + (i % 2 === 0 ? 0.001 : -0.001)));
    const paired = logPaired(a, b);
    const unpaired = logTwoSample(a, b);
    expect(paired!.p).toBeLessThan(0.001);
    expect(unpaired!.p).toBeGreaterThan(0.3);
  });
});

describe('holm', () => {
  // Reference: R, p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02.
  it('matches R', () => {
    const adjusted = holm([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((want, i) => expect(adjusted[i]).toBeCloseTo(want, 12));
  });
});
