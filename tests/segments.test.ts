/** `--segments N`: k6 execution segments in N processes merged into one run result (unit and real k6). */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { K6Metric, K6SummaryData } from '../reporters/k6-summary.ts';
import { runScenario } from '../scripts/lib/run-scenario.ts';
import { segmentFiles, segmentFlags, checkCount } from '../scripts/lib/segments.ts';
import { mergedExitCode, segmentArgs } from '../scripts/lib/segments-run.ts';
import { mergeSegments, mergeThresholds, mergeValues } from '../scripts/lib/segments-merge.ts';
import { parseSelector, readTrendSamples } from '../scripts/lib/segments-samples.ts';
import { percentile, trendValues } from '../scripts/lib/segments-trend.ts';

const quiet = (): void => {};

describe('segment plan', () => {
  it('gives segment i of N its share and the common sequence', () => {
    expect(segmentFlags(0, 2)).toEqual(['--execution-segment', '0:1/2', '--execution-segment-sequence', '0,1/2,1']);
    expect(segmentFlags(2, 3)).toEqual(['--execution-segment', '2/3:1', '--execution-segment-sequence', '0,1/3,2/3,1']);
    expect(() => segmentFlags(2, 2)).toThrow(/out of range/);
    expect(() => checkCount(0)).toThrow(/--segments 0/);
  });

  it('tags each segment with its instance and gives it its own summary and raw samples', () => {
    const args = segmentArgs({ script: 's.ts', vars: { TIDEMARK_SUMMARY_FILE: 'whole.json', A: '1' }, tags: { testid: 't' }, extraArgs: [], count: 2, base: '/r/x' }, 1);
    expect(args).toContain('instance=1');
    expect(args).toContain(`TIDEMARK_SUMMARY_FILE=${segmentFiles('/r/x', 1).summary}`);
    expect(args).not.toContain('TIDEMARK_SUMMARY_FILE=whole.json');
    expect(args.slice(-3)).toEqual(['--out', 'json=/r/x.seg1.samples.json.gz', 's.ts']);
  });

  it('keeps the worst exit code: a failed k6 over a crossed threshold over success', () => {
    expect(mergedExitCode([0, 0])).toBe(0);
    expect(mergedExitCode([0, 99])).toBe(99);
    expect(mergedExitCode([99, 107, 0])).toBe(107);
  });
});

describe('merging summaries', () => {
  it('computes trends like k6 (linear interpolation between ranks)', () => {
    const sorted = Float64Array.from([1, 2, 3, 4]);
    expect(percentile(sorted, 0.5)).toBe(2.5);
    expect(percentile(sorted, 0.95)).toBeCloseTo(3.85, 12);
    expect(trendValues([4, 1, 3, 2], ['avg', 'min', 'med', 'max', 'p(99)', 'count'])).toEqual({ avg: 2.5, min: 1, med: 2.5, max: 4, 'p(99)': 3 + 0.97, count: 4 });
    expect(trendValues([], ['p(95)', 'count'])).toEqual({ 'p(95)': null, count: 0 });
  });

  it('sums counters, combines rates, adds VU gauges', () => {
    expect(mergeValues('sse_events', 'counter', [{ count: 10 }, { count: 30 }], 4)).toEqual({ count: 40, rate: 10 });
    expect(mergeValues('errors', 'rate', [{ passes: 1, fails: 9 }, { passes: 0, fails: 10 }], 4)).toEqual({ rate: 0.05, passes: 1, fails: 19 });
    expect(mergeValues('vus', 'gauge', [{ value: 5, min: 5, max: 5 }, { value: 5, min: 4, max: 5 }], 4)).toEqual({ value: 10, min: 9, max: 10 });
  });

  it('marks a threshold ok only when every segment met it', () => {
    const ok = { type: 'counter', contains: 'default', values: {}, thresholds: { 'count==0': { ok: true } } } satisfies K6Metric;
    const bad = { ...ok, thresholds: { 'count==0': { ok: false } } };
    expect(mergeThresholds([ok, ok])).toEqual({ 'count==0': { ok: true } });
    expect(mergeThresholds([ok, bad])).toEqual({ 'count==0': { ok: false } });
    expect(mergeThresholds([{ ...ok, thresholds: undefined }])).toBeUndefined();
  });

  it('refuses raw samples that do not match a segment summary', () => {
    const summary: K6SummaryData = { metrics: { t: { type: 'trend', contains: 'time', values: { count: 3 } } }, state: { testRunDurationMs: 1000 } };
    const samples = { values: new Map([['t', [1, 2]]]), points: 2 };
    expect(() => mergeSegments([{ index: 0, summary, samples }])).toThrow(/segment 0: t has 2 raw samples but its summary counts 3/);
  });

  it('parses submetric names as k6 does', () => {
    expect(parseSelector('m{phase:pre}')).toEqual({ name: 'm{phase:pre}', metric: 'm', tags: { phase: 'pre' } });
    expect(parseSelector('m{ a:"x" , b:y}').tags).toEqual({ a: 'x', b: 'y' });
    expect(() => parseSelector('m{a:b')).toThrow(/expected metric/);
  });
});

describe('two segments with real k6 and the SSE target', () => {
  let outDir: string;
  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'tidemark-seg-'));
  });
  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  const segmentSummary = (base: string, i: number): K6SummaryData =>
    JSON.parse(readFileSync(segmentFiles(join(outDir, base), i).summary, 'utf8')) as K6SummaryData;

  it('sustained: together they deliver the asked rate, and the merged counts are the sum of the parts', async () => {
    const run = await runScenario({ scenario: 'sse/sustained', runId: 'it-seg', outDir, duration: '4s', segments: 2, k6Vars: { SSE_CONNECTIONS: '10' }, log: quiet });
    expect(run.invalidReasons).toEqual([]);
    expect(run.load.achievedRate! / run.load.askedRate!).toBeGreaterThan(0.98);
    expect(run.resources?.connectionsPeak).toBe(10);
    const parts = [segmentSummary('sse-sustained', 0), segmentSummary('sse-sustained', 1)];
    // Each segment ran half of the streams.
    expect(parts.map((p) => p.metrics.vus_max?.values.value)).toEqual([5, 5]);
    for (const name of ['sse_events', 'sse_events_expected', 'iterations', 'sse_gaps']) {
      expect(run.metrics[name]?.value).toBeCloseTo(parts.reduce((a, p) => a + (p.metrics[name]?.values.count ?? 0), 0), 9);
    }
    const latency = parts.map((p) => p.metrics.sse_delivery_latency?.values);
    expect(run.metrics.sse_delivery_latency?.count).toBe((latency[0]?.count ?? 0) + (latency[1]?.count ?? 0));
    // A mixture's percentile lies between its parts'.
    const p95 = latency.map((v) => v?.['p(95)'] ?? NaN);
    expect(run.metrics.sse_delivery_latency?.p95).toBeGreaterThanOrEqual(Math.min(...p95));
    expect(run.metrics.sse_delivery_latency?.p95).toBeLessThanOrEqual(Math.max(...p95));
    expect(run.thresholds.length).toBeGreaterThan(0);
    expect(run.thresholds.every((t) => t.ok)).toBe(true);

    for (const i of [0, 1]) {
      const files = segmentFiles(join(outDir, 'sse-sustained'), i);
      // Trends recomputed from one segment's raw samples reproduce k6's own summary of that segment.
      const raw = await readTrendSamples(files.samples);
      const summary = parts[i]!;
      const stats = summary.options?.summaryTrendStats ?? [];
      for (const [name, metric] of Object.entries(summary.metrics)) {
        if (metric.type !== 'trend') continue;
        const mine = trendValues(raw.values.get(name) ?? [], stats);
        for (const stat of stats) expect(mine[stat], `${name} ${stat}`).toBeCloseTo(metric.values[stat] ?? NaN, 9);
      }
      const firstPoint = gunzipSync(await readFile(files.samples)).toString('utf8').split('\n').find((l) => l.includes('"type":"Point"'));
      expect((JSON.parse(firstPoint ?? '{}') as { data: { tags: Record<string, string> } }).data.tags.instance).toBe(String(i));
    }
  });

  it('churn: the arrival rate is split across segments and the whole rate is achieved', async () => {
    const run = await runScenario({ scenario: 'sse/churn', runId: 'it-seg-churn', outDir, duration: '4s', segments: 2, log: quiet });
    expect(run.invalidReasons).toEqual([]);
    expect(run.load.askedRate).toBe(20);
    expect(run.load.achievedRate! / run.load.askedRate!).toBeGreaterThan(0.98);
    const parts = [segmentSummary('sse-churn', 0), segmentSummary('sse-churn', 1)];
    const iterations = parts.map((p) => p.metrics.iterations?.values.count ?? 0);
    expect(Math.min(...iterations)).toBeGreaterThan(0.4 * (run.metrics.iterations?.value ?? 0));
    expect(run.metrics.iterations?.value).toBe(iterations[0]! + iterations[1]!);
  });
});
