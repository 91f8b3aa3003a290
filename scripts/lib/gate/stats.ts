/**
 * The gate's statistics, on log values across runs (one run = one observation): Welch's t-test for
 * baseline-vs-current, a paired t-test for interleaved A/B runs, and Holm's step-down correction.
 * Distributions come from stdlib; only the test statistics are computed here (checked against R in the tests).
 */
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

export interface LogTest {
  /** exp(mean log b - mean log a): the ratio of geometric means, current over baseline. */
  ratio: number;
  /** Confidence interval of the ratio. */
  ciLow: number;
  ciHigh: number;
  /** Two-sided p-value. */
  p: number;
  /** Standard error of the mean log difference (what the minimum detectable effect is computed from). */
  se: number;
  df: number;
  /** `welch`, `pooled` (one side has a single run: the other side's variance stands for both) or `paired`. */
  method: 'welch' | 'pooled' | 'paired';
}

function mean(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

function variance(xs: number[]): number {
  const m = mean(xs);
  return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
}

export interface MeanTest {
  /** Difference of means (b - a), or mean of the differences when paired. */
  diff: number;
  se: number;
  df: number;
  t: number;
  /** Two-sided p-value. */
  p: number;
}

function tTest(diff: number, se: number, df: number): MeanTest {
  const t = se === 0 ? (diff === 0 ? 0 : Infinity * Math.sign(diff)) : diff / se;
  const p = Number.isFinite(t) ? 2 * (1 - tCdf(Math.abs(t), df)) : 0;
  return { diff, se, df, t, p };
}

/**
 * Difference of means b - a. Welch's unequal-variance test when both sides have 2+ values; when one side has a
 * single value, the other side's variance stands for both (Student's test with that side's degrees of freedom).
 * Null with too few values.
 */
export function twoSampleT(a: number[], b: number[]): (MeanTest & { method: 'welch' | 'pooled' }) | null {
  if (a.length === 0 || b.length === 0 || a.length + b.length < 3) return null;
  const diff = mean(b) - mean(a);
  if (a.length >= 2 && b.length >= 2) {
    const va = variance(a) / a.length;
    const vb = variance(b) / b.length;
    const df = va + vb === 0 ? a.length + b.length - 2 : (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
    return { ...tTest(diff, Math.sqrt(va + vb), df), method: 'welch' };
  }
  const many = a.length >= 2 ? a : b;
  const v = variance(many);
  return { ...tTest(diff, Math.sqrt(v / a.length + v / b.length), many.length - 1), method: 'pooled' };
}

/** One-sample t-test of the mean of `d` against 0 (the paired test on differences); null below 2 values. */
export function pairedT(d: number[]): MeanTest | null {
  if (d.length < 2) return null;
  return tTest(mean(d), Math.sqrt(variance(d) / d.length), d.length - 1);
}

function onLogScale(test: MeanTest, level: number, method: LogTest['method']): LogTest {
  const half = Number.isFinite(test.se) ? tQuantile(1 - (1 - level) / 2, test.df) * test.se : Infinity;
  return {
    ratio: Math.exp(test.diff),
    ciLow: Math.exp(test.diff - half),
    ciHigh: Math.exp(test.diff + half),
    p: test.p,
    se: test.se,
    df: test.df,
    method,
  };
}

/**
 * Compares `a` (baseline) and `b` (current) on the log scale with `twoSampleT`. Every value must be > 0.
 * @param level confidence level of the ratio's interval (default 0.95)
 */
export function logTwoSample(a: number[], b: number[], level = 0.95): LogTest | null {
  if ([...a, ...b].some((x) => !(x > 0))) return null;
  const test = twoSampleT(a.map(Math.log), b.map(Math.log));
  return test === null ? null : onLogScale(test, level, test.method);
}

/**
 * Paired comparison of interleaved runs: `a[i]` and `b[i]` ran back to back; tests the mean log ratio.
 * Null with fewer than 2 pairs or a value <= 0.
 * @param level confidence level of the ratio's interval (default 0.95)
 */
export function logPaired(a: number[], b: number[], level = 0.95): LogTest | null {
  const n = Math.min(a.length, b.length);
  const d: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (!(x > 0) || !(y > 0)) return null;
    d.push(Math.log(y) - Math.log(x));
  }
  const test = pairedT(d);
  return test === null ? null : onLogScale(test, level, 'paired');
}

/** Holm's step-down adjusted p-values, in the input order (monotone, capped at 1). */
export function holm(pValues: number[]): number[] {
  const order = pValues.map((p, i) => ({ p, i })).sort((x, y) => x.p - y.p);
  const adjusted = new Array<number>(pValues.length).fill(1);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (pValues.length - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}
