/** The shared `handleSummary`: writes k6's summary data plus scenario facts for the harness, and a short text. */
import { redactToken } from './auth.ts';
import type { ScenarioMeta } from './scenario-meta.ts';
import { WARMUP_S } from './warmup.ts';

export type { ScenarioMeta } from './scenario-meta.ts';

interface SummaryMetric {
  type: string;
  contains: string;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

interface SummaryData {
  metrics: Record<string, SummaryMetric>;
  state: { testRunDurationMs: number };
}

/** Trend statistics every scenario reports; the run result reads these names. */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max', 'count'];

/** Builds the `handleSummary` export for a scenario; the warm-up comes from its one home (warmup.ts). */
export function makeHandleSummary(facts: Omit<ScenarioMeta, 'warmupS'>): (data: SummaryData) => Record<string, string> {
  const meta: ScenarioMeta = { ...facts, warmupS: WARMUP_S };
  return (data) => {
    const out: Record<string, string> = { stdout: summaryText(meta, data) };
    const file = __ENV.TIDEMARK_SUMMARY_FILE;
    if (file) out[file] = redactToken(JSON.stringify({ ...data, tidemark: meta })); // never the auth token (auth.ts)
    return out;
  };
}

function fmt(value: number | undefined, unit = ''): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 1 ? 2 : 3;
  return `${value.toFixed(digits)}${unit}`;
}

/** A few lines a person reads at the end of a plain `k6 run`. */
export function summaryText(meta: ScenarioMeta, data: SummaryData): string {
  const lines = [`\n${meta.scenario}  (${(data.state.testRunDurationMs / 1000).toFixed(1)} s)`];
  const latency = data.metrics[meta.latencyMetric]?.values;
  if (latency) {
    lines.push(
      `  ${meta.latencyMetric}: p50 ${fmt(latency.med, ' ms')}  p95 ${fmt(latency['p(95)'], ' ms')}  p99 ${fmt(latency['p(99)'], ' ms')}  max ${fmt(latency.max, ' ms')}`,
    );
  }
  const received = data.metrics[meta.rateMetric]?.values;
  const expected = meta.expectedMetric ? data.metrics[meta.expectedMetric]?.values : undefined;
  lines.push(`  ${meta.unit}: ${fmt(received?.count)} (${fmt(received?.rate, '/s')})${expected ? ` of ${fmt(expected.count)} asked` : ''}`);
  const errors = data.metrics[meta.errorMetric]?.values;
  lines.push(`  errors: ${fmt((errors?.rate ?? 0) * 100, "%")}`);
  const dropped = data.metrics.dropped_iterations?.values.count ?? 0;
  if (dropped > 0) lines.push(`  dropped iterations: ${dropped} (the load generator could not keep up: run invalid)`);
  for (const [name, metric] of Object.entries(data.metrics)) {
    for (const [expression, result] of Object.entries(metric.thresholds ?? {})) {
      lines.push(`  ${result.ok ? 'ok  ' : 'FAIL'} ${name}: ${expression}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
