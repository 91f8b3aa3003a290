/** k6 `handleSummary` data → run result metric summaries and threshold results. */
import type { MetricSummary, ThresholdResult } from './run-result.ts';
import type { ScenarioMeta } from '../scenarios/lib/scenario-meta.ts';

export type K6MetricType = MetricSummary['type'];

/**
 * The `values` of one k6 metric. Which keys appear depends on the type: trends carry the
 * `summaryTrendStats` (avg, min, med, max, p(N), count), counters count and rate, rates
 * rate, passes and fails, gauges value, min and max. Any may be absent; k6 writes NaN as null.
 */
export interface K6MetricValues {
  avg?: number | null;
  min?: number | null;
  med?: number | null;
  max?: number | null;
  'p(50)'?: number | null;
  'p(90)'?: number | null;
  'p(95)'?: number | null;
  'p(99)'?: number | null;
  count?: number | null;
  rate?: number | null;
  value?: number | null;
  passes?: number | null;
  fails?: number | null;
  [stat: string]: number | null | undefined;
}

/** One entry of `data.metrics`; submetrics appear under names like `http_req_duration{scenario:x}`. */
export interface K6Metric {
  type: K6MetricType;
  /** `time` (ms), `data` (bytes) or `default`. */
  contains: 'time' | 'data' | 'default';
  values: K6MetricValues;
  /** Keyed by the threshold expression, e.g. `p(95)<100`. */
  thresholds?: Record<string, { ok: boolean }>;
}

/** What `scenarios/lib/summary.ts` adds to the summary data: the scenario's own declaration. */
export type TidemarkSummaryInfo = ScenarioMeta;

/** The parts of k6's `handleSummary(data)` argument (k6 v1.x) that Tidemark reads. */
export interface K6SummaryData {
  metrics: Record<string, K6Metric>;
  state: { testRunDurationMs: number; isStdOutTTY?: boolean; isStdErrTTY?: boolean };
  options?: { summaryTrendStats?: string[]; summaryTimeUnit?: string; noColor?: boolean };
  root_group?: unknown;
  tidemark?: TidemarkSummaryInfo;
}

const TYPES: readonly string[] = ['trend', 'counter', 'rate', 'gauge'];

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Checks the shape of parsed summary JSON (an object with a `metrics` object) and returns it typed.
 * Individual odd metrics are not an error here: `summarizeMetrics` skips them.
 * @throws Error naming what is missing.
 */
export function asK6SummaryData(x: unknown): K6SummaryData {
  if (!isRecord(x)) throw new Error('k6 summary: expected a JSON object (the handleSummary data)');
  if (!isRecord(x.metrics)) throw new Error('k6 summary: `metrics` is missing or not an object; is this k6 handleSummary data?');
  if (x.state !== undefined && !isRecord(x.state)) throw new Error('k6 summary: `state` is not an object');
  return x as unknown as K6SummaryData;
}

/** A finite number, else null (k6 writes NaN as null; stats left out of summaryTrendStats are absent). */
function num(x: unknown): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

const EMPTY: Omit<MetricSummary, 'type'> = {
  count: null, rate: null, avg: null, min: null, p50: null, p90: null, p95: null, p99: null, max: null, value: null,
};

/** One k6 metric as a `MetricSummary` (see its field docs for what `count` and `value` mean per type). */
export function summarizeMetric(metric: K6Metric): MetricSummary {
  const v: K6MetricValues = isRecord(metric.values) ? metric.values : {};
  switch (metric.type) {
    case 'trend':
      return {
        ...EMPTY, type: 'trend', count: num(v.count), avg: num(v.avg), min: num(v.min),
        p50: num(v.med) ?? num(v['p(50)']), p90: num(v['p(90)']), p95: num(v['p(95)']), p99: num(v['p(99)']), max: num(v.max),
      };
    case 'counter':
      return { ...EMPTY, type: 'counter', count: num(v.count), rate: num(v.rate), value: num(v.count) };
    case 'rate': {
      const passes = num(v.passes);
      const fails = num(v.fails);
      const count = passes !== null && fails !== null ? passes + fails : null;
      return { ...EMPTY, type: 'rate', count, rate: num(v.rate), value: num(v.rate) };
    }
    case 'gauge':
      return { ...EMPTY, type: 'gauge', min: num(v.min), max: num(v.max), value: num(v.value) };
  }
}

/** Every metric (submetrics included), keys sorted; entries with an unknown `type` are skipped. */
export function summarizeMetrics(data: K6SummaryData): Record<string, MetricSummary> {
  const out: Record<string, MetricSummary> = {};
  for (const name of Object.keys(data.metrics).sort()) {
    const metric = data.metrics[name];
    if (!isRecord(metric) || typeof metric.type !== 'string' || !TYPES.includes(metric.type)) continue;
    out[name] = summarizeMetric(metric);
  }
  return out;
}

/** Every threshold with its outcome, sorted by metric name, expressions in k6's order. */
export function thresholdResults(data: K6SummaryData): ThresholdResult[] {
  const out: ThresholdResult[] = [];
  for (const metric of Object.keys(data.metrics).sort()) {
    const thresholds = data.metrics[metric]?.thresholds;
    if (!isRecord(thresholds)) continue;
    for (const [expression, result] of Object.entries(thresholds)) {
      out.push({ metric, expression, ok: isRecord(result) && result.ok === true });
    }
  }
  return out;
}

/** `state.testRunDurationMs` in seconds, or null when absent. */
export function testRunDurationS(data: K6SummaryData): number | null {
  const ms = num(data.state?.testRunDurationMs);
  return ms === null ? null : ms / 1000;
}

/** k6's `dropped_iterations` counter total; 0 when k6 dropped none (it then omits the metric). */
export function droppedIterations(data: K6SummaryData): number {
  return num(data.metrics.dropped_iterations?.values?.count) ?? 0;
}
