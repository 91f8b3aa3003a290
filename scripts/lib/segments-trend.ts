/**
 * Trend statistics computed exactly from raw samples, the way k6 computes them for its summary, so that the
 * trends of a segmented run are those of one k6 process that had seen every sample.
 */
import type { K6MetricValues } from '../../reporters/k6-summary.ts';

/**
 * k6's percentile (TrendSink.P in go.k6.io/k6/metrics): linear interpolation between the two closest ranks
 * of the sorted values; 0 for no values.
 * @param sorted values in ascending order
 * @param p share between 0 and 1 (0.95 for p(95))
 */
export function percentile(sorted: Float64Array, p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  if (n === 1) return sorted[0] as number;
  const i = p * (n - 1);
  const lo = sorted[Math.floor(i)] as number;
  const hi = sorted[Math.ceil(i)] as number;
  return lo + (hi - lo) * (i - Math.floor(i));
}

/** The share a `p(N)` stat asks for (`p(99.9)` → 0.999), or null when `stat` is not a percentile. */
export function percentileShare(stat: string): number | null {
  const m = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
  if (!m) return null;
  const share = Number(m[1]) / 100;
  return share >= 0 && share <= 1 ? share : null;
}

/**
 * The `summaryTrendStats` of a trend over `values` (avg, min, med, max, count and any p(N)); stats k6 does
 * not know are left out. With no values, count is 0 and the others are null, as k6 writes NaN.
 */
export function trendValues(values: readonly number[], stats: readonly string[]): K6MetricValues {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  let sum = 0;
  for (const v of sorted) sum += v;
  const out: K6MetricValues = {};
  for (const stat of stats) {
    if (stat === 'count') out.count = n;
    else if (n === 0) {
      if (stat === 'avg' || stat === 'min' || stat === 'max' || stat === 'med' || percentileShare(stat) !== null) out[stat] = null;
    } else if (stat === 'avg') out.avg = sum / n;
    else if (stat === 'min') out.min = sorted[0] as number;
    else if (stat === 'max') out.max = sorted[n - 1] as number;
    else if (stat === 'med') out.med = percentile(sorted, 0.5);
    else {
      const share = percentileShare(stat);
      if (share !== null) out[stat] = percentile(sorted, share);
    }
  }
  return out;
}
