import { describe, expect, it } from 'vitest';
import { k6Fixture } from './fixtures/sample-run.ts';
import {
  asK6SummaryData, droppedIterations, summarizeMetric, summarizeMetrics, testRunDurationS, thresholdResults,
} from './k6-summary.ts';

// reporters/fixtures/k6-summary.json: real k6 v1.8.1 output of fixtures/k6-summary.script.js.
const data = k6Fixture();

describe('summarizeMetrics (real k6 fixture)', () => {
  const metrics = summarizeMetrics(data);

  it('keeps every metric and submetric, sorted', () => {
    expect(Object.keys(metrics)).toEqual(Object.keys(data.metrics).sort());
    expect(metrics).toHaveProperty(['http_req_duration{scenario:steady}']);
  });

  it('maps a trend: med → p50, p(N) → pN, count of samples', () => {
    const v = data.metrics.tidemark_fixture_latency?.values ?? {};
    expect(metrics.tidemark_fixture_latency).toEqual({
      type: 'trend', count: v.count, rate: null, avg: v.avg, min: v.min,
      p50: v.med, p90: v['p(90)'], p95: v['p(95)'], p99: v['p(99)'], max: v.max, value: null,
    });
    expect(metrics.tidemark_fixture_latency?.count).toBeGreaterThan(100);
  });

  it('maps a counter: total in count and value, per-second rate', () => {
    const m = metrics.tidemark_fixture_ops;
    expect(m?.type).toBe('counter');
    expect(m?.count).toBe(m?.value);
    expect(m?.rate).toBeCloseTo((m?.value ?? 0) / (testRunDurationS(data) ?? 1), 0);
    expect(m?.p95).toBeNull();
  });

  it('maps a rate: samples = passes + fails, share in rate and value', () => {
    const v = data.metrics.tidemark_errors?.values ?? {};
    expect(metrics.tidemark_errors).toMatchObject({ type: 'rate', count: (v.passes ?? 0) + (v.fails ?? 0), rate: v.rate, value: v.rate });
  });

  it('maps a gauge: value, min, max; no count', () => {
    expect(metrics.tidemark_fixture_connections).toMatchObject({ type: 'gauge', count: null, value: 1, min: 1, max: 2 });
  });
});

describe('thresholdResults (real k6 fixture)', () => {
  it('lists each expression with its outcome, submetrics included', () => {
    const results = thresholdResults(data);
    expect(results).toContainEqual({ metric: 'tidemark_fixture_latency', expression: 'p(95)<1000', ok: true });
    expect(results).toContainEqual({ metric: 'tidemark_fixture_latency', expression: 'p(99)<0.001', ok: false });
    expect(results).toContainEqual({ metric: 'http_req_duration{scenario:steady}', expression: 'p(95)<1000', ok: true });
    expect(results).toHaveLength(7);
  });
});

describe('run facts', () => {
  it('reads duration and dropped iterations', () => {
    expect(testRunDurationS(data)).toBeGreaterThan(2.9);
    expect(droppedIterations(data)).toBeGreaterThan(0);
    expect(droppedIterations(asK6SummaryData({ metrics: {}, state: {} }))).toBe(0);
    expect(testRunDurationS(asK6SummaryData({ metrics: {} }))).toBeNull();
  });
});

describe('tolerance', () => {
  it('turns missing, null and NaN stats into null', () => {
    expect(summarizeMetric({ type: 'trend', contains: 'time', values: { avg: null, 'p(50)': 3, count: Number.NaN } })).toEqual({
      type: 'trend', count: null, rate: null, avg: null, min: null, p50: 3, p90: null, p95: null, p99: null, max: null, value: null,
    });
    expect(summarizeMetric({ type: 'rate', contains: 'default', values: { rate: 0.5 } }).count).toBeNull();
  });

  it('skips metrics of unknown type and rejects data without metrics', () => {
    const odd = asK6SummaryData({ metrics: { weird: { type: 'histogram', values: {} }, ok: { type: 'counter', values: { count: 1 } } } });
    expect(Object.keys(summarizeMetrics(odd))).toEqual(['ok']);
    expect(() => asK6SummaryData({ state: {} })).toThrow(/`metrics` is missing/);
    expect(() => asK6SummaryData('nope')).toThrow(/expected a JSON object/);
  });
});
