/** Test helper: a valid run result whose gated figures are the given ones. */
import type { RunResult } from '../../../reporters/run-result.ts';

export function fakeRun(figures: { p95: number; cpu?: number; rate?: number }, over: Partial<RunResult> = {}): RunResult {
  const trend = { type: 'trend' as const, count: 100, rate: null, avg: figures.p95 / 2, min: 0.1, p50: figures.p95 / 2, p90: figures.p95 * 0.9, p95: figures.p95, p99: figures.p95 * 1.5, max: figures.p95 * 2, value: null };
  return {
    schema: 'tidemark.run/1',
    runId: 'test',
    scenario: 'sse/sustained',
    target: 'sse',
    profile: 'sustained',
    repeat: null,
    git: { sha: 'abc', branch: 'main', dirty: false },
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:10.000Z',
    durationS: 10,
    k6: { version: 'k6 v1.8.1', exitCode: 0 },
    machine: { class: '2cpu-x64-test', cpus: 2, model: 'test', memGiB: 24, os: 'linux', node: 'v20' },
    targetUrl: 'http://127.0.0.1:1',
    managedTarget: true,
    load: { unit: 'events', askedRate: 1000, achievedRate: figures.rate ?? 1000, droppedIterations: 0, connections: 50 },
    metrics: { sse_delivery_latency: trend },
    thresholds: [],
    resources: { samples: 10, cpuMs: 1000, ops: 10000, cpuMsPerOp: figures.cpu ?? 0.1, rssPeakMB: 60, rssSteadyMB: 55, rssPerConnectionKB: 20, connectionsPeak: 50, rssSlopeMBPerMin: 0 },
    latencyMetric: 'sse_delivery_latency',
    errorRate: 0,
    valid: true,
    invalidReasons: [],
    influx: null,
    ...over,
  };
}
