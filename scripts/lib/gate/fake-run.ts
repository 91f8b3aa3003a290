/** Test helper: a valid run result (the reporters' sample run) whose gated figures are the given ones. */
import { sampleRun } from '../../../reporters/fixtures/sample-run.ts';
import type { RunResult } from '../../../reporters/run-result.ts';

export function fakeRun(figures: { p95: number; cpu?: number; rate?: number }, over: Partial<RunResult> = {}): RunResult {
  const base = sampleRun('test');
  const p = figures.p95;
  return {
    ...base,
    k6: { version: 'v1.8.1', exitCode: 0 },
    load: { ...base.load, askedRate: 1000, achievedRate: figures.rate ?? 1000, droppedIterations: 0 },
    metrics: {
      sse_delivery_latency: { type: 'trend', count: 5000, rate: null, avg: p / 2, min: 0.1, p50: p / 2, p90: p * 0.9, p95: p, p99: p * 1.5, max: p * 2, value: null },
    },
    thresholds: [],
    resources: { ...(base.resources as NonNullable<RunResult['resources']>), cpuMsPerOp: figures.cpu ?? 0.1 },
    latencyMetric: 'sse_delivery_latency',
    errorRate: 0,
    valid: true,
    invalidReasons: [],
    ...over,
  };
}
