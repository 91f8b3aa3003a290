/**
 * Power of the gate's test-based decision rule, and from it the minimum detectable effect (MDE): the smallest
 * true change in the bad direction that the gate flags as a regression with probability `power` (0.9), for the
 * standard error measured and the runs taken.
 *
 * The rule (compare.ts) flags when, on the log scale, the estimate d̂ is significant (d̂ > q_sig·Ŝ, with
 * q_sig = t_{1−α/2, df}) AND its interval lies beyond the margin (d̂ − L > q_ci·Ŝ, with q_ci = t_{1−(1−level)/2, df}
 * and L the log distance of the margin). With a true change δ, d̂ = δ + σZ and Ŝ = σ·s, s² ~ χ²_df/df independent
 * of Z, so
 *
 *   P(flag) = E_s[ Φ( min(δ/σ − q_sig·s, (δ − L)/σ − q_ci·s) ) ].
 *
 * This is exact, not the usual `(t_{1−α/2} + t_{power})·SE` approximation (which is 9% short at 3 pairs): with
 * L = 0 it is the upper tail of the noncentral t, P(T'_{df, δ/σ} > q_sig), i.e. what R's `power.t.test` computes
 * (checked in power.test.ts). The expectation over s is a trapezoid rule over ln χ²; δ is found by bisection.
 * σ is the measured standard error (a plug-in: the MDE is as uncertain as the variance it rests on). For Welch's
 * test the χ² law of Ŝ with Welch's df is Satterthwaite's approximation, as in the test itself.
 */
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** Power at which the gate reports its minimum detectable effect. */
export const MDE_POWER = 0.9;

export interface RuleThresholds {
  /** Critical value of the significance test, t_{1−α/2, df} at the per-test α. */
  qSignificance: number;
  /** Quantile of the interval, t_{1−(1−level)/2, df}. */
  qInterval: number;
  /** Practical margin as a log distance from no change in the bad direction (≥ 0). */
  logMargin: number;
}

/**
 * The law of s = Ŝ/σ = sqrt(x/df), x ~ χ²_df, as weighted nodes: a trapezoid rule in t = ln x, where the density
 * exp((df/2)·t − eᵗ/2) (up to a constant) is smooth and falls off fast on both sides, so a few hundred evenly
 * spaced nodes suffice (600 put the MDE within 3e-6, relative, of the mpmath references in power.test.ts, and
 * within 1e-7 from 2 degrees of freedom up);
 * normalising the weights to sum 1 stands in for the Γ constant.
 * The range holds all but about e^-40 of the mass: below, the density falls like e^{(df/2)t} (for large df, like a
 * normal of sd sqrt(2/df) in t); above, like e^{-x/2}.
 */
const NODES = 600;
const nodeCache = new Map<number, { s: Float64Array; w: Float64Array }>();

function scaleNodes(df: number): { s: Float64Array; w: Float64Array } {
  const cached = nodeCache.get(df);
  if (cached) return cached;
  const low = Math.log(df) - Math.max(80 / df, 13 / Math.sqrt(df));
  const high = Math.log(df + 20 * Math.sqrt(df) + 80);
  const step = (high - low) / (NODES - 1);
  const logDensity = (t: number): number => (df / 2) * t - Math.exp(t) / 2;
  const peak = logDensity(Math.log(df)); // the largest value, subtracted so exp() never overflows
  const s = new Float64Array(NODES);
  const w = new Float64Array(NODES);
  let total = 0;
  for (let i = 0; i < NODES; i++) {
    const t = low + i * step;
    s[i] = Math.sqrt(Math.exp(t) / df);
    w[i] = Math.exp(logDensity(t) - peak) * (i === 0 || i === NODES - 1 ? 0.5 : 1);
    total += w[i] as number;
  }
  for (let i = 0; i < NODES; i++) w[i] = (w[i] as number) / total;
  if (nodeCache.size > 256) nodeCache.clear();
  const nodes = { s, w };
  nodeCache.set(df, nodes);
  return nodes;
}

/**
 * Probability that the rule flags a true log change `shift` (in the bad direction) when the estimate has
 * standard error `se` with `df` degrees of freedom.
 */
export function flagProbability(shift: number, se: number, df: number, rule: RuleThresholds): number {
  if (se === 0) return shift > rule.logMargin ? 1 : 0;
  const { s, w } = scaleNodes(df);
  let sum = 0;
  for (let i = 0; i < NODES; i++) {
    const scale = s[i] as number;
    sum += (w[i] as number) * normalCdf(Math.min(shift / se - rule.qSignificance * scale, (shift - rule.logMargin) / se - rule.qInterval * scale), 0, 1);
  }
  return sum;
}

/**
 * The smallest true log change in the bad direction that the rule flags with probability `power`; null when the
 * standard error or degrees of freedom are unusable, or when no finite change reaches that power.
 * @param power probability of flagging (default MDE_POWER, 0.9)
 */
export function minimumDetectableShift(se: number, df: number, rule: RuleThresholds, power = MDE_POWER): number | null {
  if (!(se >= 0) || !Number.isFinite(se) || !(df > 0)) return null;
  // No noise: any change beyond the margin is flagged, and nothing at or inside it.
  if (se === 0) return rule.logMargin;
  let low = 0;
  let high = rule.logMargin + se * (rule.qSignificance + 2);
  for (let i = 0; flagProbability(high, se, df, rule) < power; i++) {
    if (i >= 60 || !Number.isFinite(high)) return null;
    low = high;
    high *= 2;
  }
  // Bisection (flagProbability rises with the shift) to a relative precision of 1e-7, far below the MDE's own
  // uncertainty, which is that of the measured variance.
  for (let i = 0; i < 100 && high - low > 1e-7 * high; i++) {
    const mid = (low + high) / 2;
    if (flagProbability(mid, se, df, rule) < power) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/**
 * The gate's MDE for one figure, as a share in the bad direction (+ where lower is better, − where higher is):
 * exp(±shift) − 1 for the shift that the rule "significant at `alphaPerTest` and the `level` interval beyond the
 * margin" flags with 90% power, given the test's standard error and degrees of freedom. Null when it cannot be
 * computed (no usable variance, or a margin of 100% or more on a higher-is-better figure).
 */
export function minimumDetectableEffect(
  test: { se: number; df: number },
  figure: { direction: 'lower' | 'higher'; margin: number },
  alphaPerTest: number,
  level: number,
): number | null {
  const logMargin = figure.direction === 'lower' ? Math.log1p(figure.margin) : -Math.log1p(-figure.margin);
  if (!Number.isFinite(logMargin) || !(test.df > 0)) return null;
  const rule: RuleThresholds = {
    qSignificance: tQuantile(1 - alphaPerTest / 2, test.df),
    qInterval: tQuantile(1 - (1 - level) / 2, test.df),
    logMargin,
  };
  const shift = minimumDetectableShift(test.se, test.df, rule);
  if (shift === null) return null;
  const mde = Math.expm1(figure.direction === 'lower' ? shift : -shift);
  return Number.isFinite(mde) ? mde : null;
}
