import { describe, expect, it } from 'vitest';
import { sampleRun, sampleSamples } from './fixtures/sample-run.ts';
import {
  MEASUREMENT_RESOURCES, MEASUREMENT_RUN, MEASUREMENT_RUN_INFO, resourcePoints, runInfoPoint, runMetricPoints, runPoints,
} from './influx-points.ts';
import type { RunResult } from './run-result.ts';

const run = sampleRun();
const finished = new Date('2026-11-22T13:28:42.500Z');

describe('runMetricPoints', () => {
  const points = runMetricPoints(run);

  it('writes one tidemark_run point per metric at the finish time', () => {
    expect(points).toHaveLength(Object.keys(run.metrics).length);
    expect(new Set(points.map((p) => p.measurement))).toEqual(new Set([MEASUREMENT_RUN]));
    expect(points.every((p) => p.timestamp.getTime() === finished.getTime())).toBe(true);
  });

  it('tags the run and the metric', () => {
    const p = points.find((x) => x.tags.metric === 'tidemark_fixture_latency');
    expect(p?.tags).toEqual({
      testid: run.runId, scenario: 'sse/sustained', target: 'sse', profile: 'sustained',
      branch: 'main', git_sha: 'abc1234def5678', metric: 'tidemark_fixture_latency', valid: 'false',
    });
  });

  it('keeps only non-null figures', () => {
    const trend = points.find((x) => x.tags.metric === 'tidemark_fixture_latency');
    expect(Object.keys(trend?.fields ?? {}).sort()).toEqual(['avg', 'count', 'max', 'min', 'p50', 'p90', 'p95', 'p99']);
    const counter = points.find((x) => x.tags.metric === 'tidemark_fixture_ops');
    expect(Object.keys(counter?.fields ?? {}).sort()).toEqual(['count', 'rate', 'value']);
  });

  it('skips metrics with no figures and tags repeats', () => {
    const empty = { type: 'gauge', count: null, rate: null, avg: null, min: null, p50: null, p90: null, p95: null, p99: null, max: null, value: null } as const;
    const odd: RunResult = { ...run, repeat: 3, metrics: { empty, ok: { ...empty, value: 1 } } };
    const out = runMetricPoints(odd);
    expect(out.map((p) => p.tags.metric)).toEqual(['ok']);
    expect(out[0]?.tags.repeat).toBe('3');
  });
});

describe('runInfoPoint', () => {
  it('carries load, validity and resources', () => {
    const p = runInfoPoint(run);
    expect(p.measurement).toBe(MEASUREMENT_RUN_INFO);
    expect(p.timestamp).toEqual(finished);
    expect(p.tags).not.toHaveProperty('metric');
    expect(p.fields).toEqual({
      asked_rate: 50, achieved_rate: 47.9, dropped_iterations: run.load.droppedIterations, cpu_ms_per_op: 2.8,
      rss_peak_mb: 61.5, rss_steady_mb: 58.25, rss_per_connection_kb: 12.5, error_rate: 0.1067, valid: 0,
      duration_s: 6.5, thresholds_failed: 1,
    });
  });

  it('tags a broker backend run with its backend and carries its server\'s figures', () => {
    const server = { ...run.resources!, cpuMsPerOp: 0.04, rssPeakMB: 120, rssSteadyMB: 110 };
    const p = runInfoPoint({ ...run, backend: { name: 'rabbitmq', server } });
    expect(p.tags.backend).toBe('rabbitmq');
    expect(p.fields).toMatchObject({ backend_cpu_ms_per_op: 0.04, backend_rss_peak_mb: 120, backend_rss_steady_mb: 110 });
    // Every point of the run carries the tag; a run without a backend carries none.
    expect(runPoints({ ...run, backend: { name: 'mqtt', server: null } }, sampleSamples(run)).every((q) => q.tags.backend === 'mqtt')).toBe(true);
    expect(runPoints(run, sampleSamples(run)).some((q) => 'backend' in q.tags)).toBe(false);
    expect(runInfoPoint({ ...run, backend: { name: 'memory', server: null } }).fields).not.toHaveProperty('backend_cpu_ms_per_op');
  });

  it('leaves out what a run without resources does not know', () => {
    const p = runInfoPoint({ ...run, resources: null, errorRate: null, valid: true, invalidReasons: [] });
    expect(p.fields).not.toHaveProperty('cpu_ms_per_op');
    expect(p.fields).not.toHaveProperty('error_rate');
    expect(p.fields.valid).toBe(1);
  });
});

describe('resourcePoints', () => {
  it('writes one point per sample at the sample time, without null fields', () => {
    const samples = sampleSamples(run);
    const points = resourcePoints(run, samples);
    expect(points).toHaveLength(6);
    expect(points[0]).toEqual({
      measurement: MEASUREMENT_RESOURCES,
      tags: { testid: run.runId, scenario: 'sse/sustained', target: 'sse', profile: 'sustained' },
      fields: { cpu_ms: 0, rss_kb: 58000, connections: 0, ops: 0 },
      timestamp: new Date(samples[0]?.t ?? 0),
    });
    expect(points[5]?.fields).not.toHaveProperty('ops');
  });
});

describe('runPoints', () => {
  it('is deterministic: the same run gives the same points', () => {
    expect(runPoints(sampleRun(), sampleSamples())).toEqual(runPoints(sampleRun(), sampleSamples()));
    expect(runPoints(run, sampleSamples())).toHaveLength(Object.keys(run.metrics).length + 1 + 6);
  });
});
