import { describe, expect, it } from 'vitest';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { flagProbability, minimumDetectableShift, type RuleThresholds } from './power.ts';

/**
 * References: R's `power.t.test` (strict = FALSE, the default), i.e. power = P(T'_{df, ncp} > t_{1−α/2, df}) with
 * ncp = δ / (sd·sqrt(k/n)), k = 2 for two samples of n, 1 for n pairs. The two values marked "R docs" are the
 * examples printed in R's `?power.t.test`. R is not on this machine: the others come from a reproduction of
 * `power.t.test` in mpmath (noncentral t by quadrature over χ², 30 digits), which gives both R-docs values to 7
 * digits (0.8689528 and n = 22.02110). A significance-only test is the gate's rule with a zero margin and an
 * interval no stricter than the test.
 */
function testOnly(alpha: number, df: number): RuleThresholds {
  return { qSignificance: tQuantile(1 - alpha / 2, df), qInterval: 0, logMargin: 0 };
}

describe('flagProbability', () => {
  it('is the power of a two-sided t-test (R docs: power.t.test(n = 20, delta = 1) gives power 0.8689528)', () => {
    const df = 38;
    expect(flagProbability(1, Math.sqrt(2 / 20), df, testOnly(0.05, df))).toBeCloseTo(0.8689528, 6);
  });

  it('is 0 or 1 without noise: a change is flagged exactly when it lies beyond the margin', () => {
    const rule = { qSignificance: 3, qInterval: 2, logMargin: Math.log(1.03) };
    expect(flagProbability(Math.log(1.031), 0, 5, rule)).toBe(1);
    expect(flagProbability(Math.log(1.029), 0, 5, rule)).toBe(0);
  });
});

describe('minimumDetectableShift at 90% power', () => {
  it('R docs: power.t.test(power = 0.9, delta = 1) gives n = 22.02110 per group', () => {
    const n = 22.0211;
    const df = 2 * (n - 1);
    expect(minimumDetectableShift(Math.sqrt(2 / n), df, testOnly(0.05, df))).toBeCloseTo(1, 4);
  });

  // power.t.test(n = n, sd = 1, sig.level = a, power = 0.9, type = t)$delta
  const cases: Array<{ n: number; alpha: number; type: 'two.sample' | 'paired'; delta: number }> = [
    { n: 5, alpha: 0.05, type: 'two.sample', delta: 2.3479513 },
    { n: 10, alpha: 0.05, type: 'two.sample', delta: 1.5336923 },
    { n: 5, alpha: 0.01, type: 'two.sample', delta: 3.1140432 },
    // Three pairs: the common approximation (t_{1−α/2} + t_{0.9})·SE gives 3.5728 here, 9% short.
    { n: 3, alpha: 0.05, type: 'paired', delta: 3.9234485 },
    { n: 5, alpha: 0.05, type: 'paired', delta: 1.9658888 },
    { n: 12, alpha: 0.01, type: 'paired', delta: 1.3199453 },
    // The ends of the range of degrees of freedom: 1 and about 2000.
    { n: 2, alpha: 0.05, type: 'paired', delta: 14.824121 },
    { n: 100, alpha: 0.05, type: 'two.sample', delta: 0.46065959 },
    { n: 1000, alpha: 0.01, type: 'two.sample', delta: 0.17265069 },
  ];
  for (const c of cases) {
    it(`power.t.test(n = ${c.n}, sig.level = ${c.alpha}, power = 0.9, type = "${c.type}") gives delta = ${c.delta}`, () => {
      const k = c.type === 'paired' ? 1 : 2;
      const df = k * (c.n - 1);
      const shift = minimumDetectableShift(Math.sqrt(k / c.n), df, testOnly(c.alpha, df));
      expect(shift! / c.delta - 1).toBeCloseTo(0, 5);
    });
  }

  // The gate's full rule, significant at a Holm level AND interval beyond the margin. Reference: the same mpmath
  // quadrature of P(flag) = E_s[Φ(min(δ/σ − q_sig·s, (δ − L)/σ − q_ci·s))] and bisection.
  it('adds the margin: 6 pairs, SE 0.02, α 0.01 over 3 figures, 95% interval, 3% margin → shift 0.1495074', () => {
    const df = 5;
    const rule = { qSignificance: tQuantile(1 - 0.01 / 3 / 2, df), qInterval: tQuantile(0.975, df), logMargin: Math.log(1.03) };
    expect(minimumDetectableShift(0.02, df, rule)! / 0.1495074164 - 1).toBeCloseTo(0, 5);
  });

  it('where the margin binds: 12 pairs, SE 0.005, α 0.004 per test, 98% interval, 5% margin → shift 0.06947675', () => {
    const df = 11;
    const rule = { qSignificance: tQuantile(1 - 0.002 / 2, df), qInterval: tQuantile(0.99, df), logMargin: Math.log(1.05) };
    expect(minimumDetectableShift(0.005, df, rule)! / 0.06947674847 - 1).toBeCloseTo(0, 5);
  });

  it('is the margin without noise, and null for an unusable standard error', () => {
    const rule = { qSignificance: 3, qInterval: 2, logMargin: 0.05 };
    expect(minimumDetectableShift(0, 4, rule)).toBe(0.05);
    expect(minimumDetectableShift(Number.NaN, 4, rule)).toBeNull();
    expect(minimumDetectableShift(Infinity, 4, rule)).toBeNull();
  });
});
