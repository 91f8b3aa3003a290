/** The figures the gate compares, taken from one run result, with their direction and default margin. */
import type { RunResult } from '../../../reporters/run-result.ts';

export type Direction = 'lower' | 'higher';

export interface GatedMetricSpec {
  /** Which way is better. */
  direction: Direction;
  /**
   * Practical margin: a change is a regression only when its confidence bound lies beyond this share
   * (0.03 = 3%). Defaults are in DEFAULT_GATED; a baseline may set its own per metric.
   */
  margin: number;
  /** What the figure is, for reports. */
  description: string;
}

/** Every figure the gate knows, with documented default margins (see docs/GATE.md). */
export const DEFAULT_GATED: Record<string, GatedMetricSpec> = {
  latency_p50: { direction: 'lower', margin: 0.03, description: 'protocol latency p50, ms' },
  latency_p95: { direction: 'lower', margin: 0.03, description: 'protocol latency p95, ms' },
  latency_p99: { direction: 'lower', margin: 0.05, description: 'protocol latency p99, ms' },
  throughput: { direction: 'higher', margin: 0.02, description: 'achieved operations per second' },
  cpu_ms_per_op: { direction: 'lower', margin: 0.03, description: 'target CPU time per operation, ms' },
  rss_per_connection_kb: { direction: 'lower', margin: 0.05, description: 'target RSS per connection, KB' },
  rss_slope_mb_per_min: { direction: 'lower', margin: 0, description: 'target RSS growth, MB/min (soak)' },
};

/** The gated figures of one run; null where the run does not have that figure. */
export function gatedFigures(run: RunResult): Record<string, number | null> {
  const latency = run.latencyMetric ? run.metrics[run.latencyMetric] : undefined;
  return {
    latency_p50: latency?.p50 ?? null,
    latency_p95: latency?.p95 ?? null,
    latency_p99: latency?.p99 ?? null,
    throughput: run.load.achievedRate,
    cpu_ms_per_op: run.resources?.cpuMsPerOp ?? null,
    rss_per_connection_kb: run.resources?.rssPerConnectionKB ?? null,
    rss_slope_mb_per_min: null,
  };
}
