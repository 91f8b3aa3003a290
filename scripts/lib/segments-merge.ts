/**
 * Merges the k6 summaries of N segments into the summary one k6 process would have written for the whole
 * test, so the run result of a segmented run is built, validated and gated like any other:
 *
 * - trends (and trend submetrics): recomputed exactly from every segment's raw samples (percentiles of
 *   parts cannot be combined from their summaries);
 * - counters: counts summed, rate = sum / the longest segment's test-run time;
 * - rates: passes and fails summed, rate = passes / (passes + fails);
 * - gauges: `vus` and `vus_max` summed (each segment runs its own VUs), others min of mins, max of maxes and
 *   the largest last value (a gauge of parts has no exact whole);
 * - thresholds: see `mergeThresholds`;
 * - `state.testRunDurationMs`: the longest segment; `options` and `tidemark` from segment 0.
 */
import type { K6Metric, K6MetricValues, K6SummaryData } from '../../reporters/k6-summary.ts';
import { parseSelector, type MetricSelector, type TrendSamples } from './segments-samples.ts';
import { trendValues } from './segments-trend.ts';

/** k6's own default `summaryTrendStats`, for a summary that does not name its stats. */
const K6_DEFAULT_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];

/** One segment's summary and its raw trend samples. */
export interface SegmentData {
  index: number;
  summary: K6SummaryData;
  samples: TrendSamples;
}

/** Gauges whose parts add up: every segment runs its own, disjoint set of VUs. */
const ADDITIVE_GAUGES: ReadonlySet<string> = new Set(['vus', 'vus_max']);

const num = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) ? x : 0);

/** Every submetric (`name{tag:value}`) of a trend in any segment's summary: what the raw samples must yield. */
export function trendSelectors(summaries: readonly K6SummaryData[]): MetricSelector[] {
  const names = new Set<string>();
  for (const s of summaries) {
    for (const [name, m] of Object.entries(s.metrics)) if (m.type === 'trend' && name.includes('{')) names.add(name);
  }
  return [...names].sort().map(parseSelector);
}

/**
 * A threshold of the merged run is ok only when it was ok in every segment that reports the metric.
 * This is at least as strict as evaluating it on the merged data for percentile, avg, min, max and rate
 * bounds (a mixture's percentile lies between its parts') and for count lower bounds; a count upper bound
 * such as `count<100` is held by each segment on its own, as k6-operator runners hold it.
 */
export function mergeThresholds(parts: readonly (K6Metric | undefined)[]): Record<string, { ok: boolean }> | undefined {
  const out: Record<string, { ok: boolean }> = {};
  let any = false;
  for (const part of parts) {
    for (const [expr, result] of Object.entries(part?.thresholds ?? {})) {
      any = true;
      out[expr] = { ok: (out[expr]?.ok ?? true) && result.ok === true };
    }
  }
  return any ? out : undefined;
}

/** Counter, rate and gauge values of the parts combined as described in the file header. */
export function mergeValues(name: string, type: K6Metric['type'], parts: readonly K6MetricValues[], durationS: number): K6MetricValues {
  const sum = (key: string): number => parts.reduce((acc, v) => acc + num(v[key]), 0);
  switch (type) {
    case 'counter': {
      const count = sum('count');
      return { count, rate: durationS > 0 ? count / durationS : null };
    }
    case 'rate': {
      const passes = sum('passes');
      const fails = sum('fails');
      return { rate: passes + fails > 0 ? passes / (passes + fails) : null, passes, fails };
    }
    case 'gauge': {
      if (ADDITIVE_GAUGES.has(name)) return { value: sum('value'), min: sum('min'), max: sum('max') };
      const pick = (key: string, f: (...xs: number[]) => number): number | null => {
        const xs = parts.map((v) => v[key]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
        return xs.length > 0 ? f(...xs) : null;
      };
      return { value: pick('value', Math.max), min: pick('min', Math.min), max: pick('max', Math.max) };
    }
    case 'trend':
      throw new Error(`trend ${name}: merged from raw samples, not from summaries`);
  }
}

/**
 * The summary of the whole test from its segments.
 * @throws Error when a segment's raw samples do not hold as many values of a trend as its summary counts
 *   (the merged percentiles would be wrong), naming the segment and the trend
 */
export function mergeSegments(segments: readonly SegmentData[]): K6SummaryData {
  const first = segments[0];
  if (!first) throw new Error('no segment to merge');
  for (const seg of segments) checkSamples(seg);
  const durationMs = Math.max(...segments.map((s) => num(s.summary.state?.testRunDurationMs)));
  const stats = first.summary.options?.summaryTrendStats ?? K6_DEFAULT_TREND_STATS;
  const names = [...new Set(segments.flatMap((s) => Object.keys(s.summary.metrics)))].sort();
  const metrics: Record<string, K6Metric> = {};
  for (const name of names) {
    const parts = segments.map((s) => s.summary.metrics[name]);
    const proto = parts.find((p): p is K6Metric => p !== undefined);
    if (!proto) continue;
    const values =
      proto.type === 'trend'
        ? trendValues(segments.flatMap((s) => s.samples.values.get(name) ?? []), stats)
        : mergeValues(name, proto.type, parts.filter((p): p is K6Metric => p !== undefined).map((p) => p.values), durationMs / 1000);
    const thresholds = mergeThresholds(parts);
    metrics[name] = { type: proto.type, contains: proto.contains, values, ...(thresholds ? { thresholds } : {}) };
  }
  return {
    metrics,
    state: { testRunDurationMs: durationMs },
    ...(first.summary.options ? { options: first.summary.options } : {}),
    ...(first.summary.tidemark ? { tidemark: first.summary.tidemark } : {}),
  };
}

/** Each trend's raw sample count must equal the count in the segment's own summary. */
function checkSamples(seg: SegmentData): void {
  for (const [name, m] of Object.entries(seg.summary.metrics)) {
    if (m.type !== 'trend' || typeof m.values.count !== 'number') continue;
    const raw = seg.samples.values.get(name)?.length ?? 0;
    if (raw !== m.values.count) {
      throw new Error(
        `segment ${seg.index}: ${name} has ${raw} raw samples but its summary counts ${m.values.count}; ` +
          'the json output is incomplete (disk full, or k6 stopped before flushing): re-run the scenario',
      );
    }
  }
}
