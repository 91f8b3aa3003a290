import { describe, expect, it } from 'vitest';
import type { GateReport, MetricComparison } from './gate-report.ts';
import { renderGateMarkdown } from './gate-markdown.ts';
import { renderGateTable } from './gate-table.ts';
import { gateVerdictPoints } from './influx-verdicts.ts';

const p95: MetricComparison = {
  scenario: 'sse/sustained', metric: 'latency_p95', direction: 'lower', margin: 0.03, baseline: 2, current: 2.5,
  change: 0.25, ciLow: 0.18, ciHigh: 0.32, p: 0.0001, pAdjusted: 0.0004, method: 'welch', verdict: 'regression',
};
const cpu: MetricComparison = { ...p95, metric: 'cpu_ms_per_op', baseline: 0.1, current: 0.1, change: 0.004, ciLow: -0.02, ciHigh: 0.03, p: 0.7, pAdjusted: 0.7, verdict: 'unchanged' };
const report: GateReport = {
  schema: 'tidemark.gate/1', runId: 'r1', mode: 'baseline', against: null,
  startedAt: '2026-11-22T10:00:00.000Z', finishedAt: '2026-11-22T10:03:00.000Z', wallTimeS: 180,
  git: { sha: '0123456789abcdef', branch: 'feature', dirty: false }, machineClass: '2cpu-x64-test', repeat: 3, alpha: 0.01,
  scenarios: [{ scenario: 'sse/sustained', verdict: 'regression', invalid: [], sloFailures: ['sse_gaps: count==0'], metrics: [p95, cpu] }],
  errors: [], exitCode: 1, verdict: 'regression',
};

describe('gate reports', () => {
  it('markdown names scenario, metric, figures, interval and verdict', () => {
    const md = renderGateMarkdown(report);
    expect(md).toContain('# Tidemark gate: ❌ regression');
    expect(md).toContain('## ❌ sse/sustained: regression');
    expect(md).toContain('threshold failed: `sse_gaps: count==0`');
    expect(md).toContain('| latency_p95 | 2 | 2.50 | +25.0% | [+18.0%, +32.0%] | 0.0004 | 3% | **REGRESSION** |');
    expect(md).toContain('| cpu_ms_per_op | 0.100 | 0.100 | +0.4% | [-2.0%, +3.0%] | 0.7000 | 3% | ok |');
  });

  it('terminal table ends with the verdict and exit code', () => {
    const table = renderGateTable(report);
    expect(table).toMatch(/latency_p95.*REGRESSION/);
    expect(table.trim().split('\n').at(-1)).toBe('gate REGRESSION (exit 1) in 180 s, 3 run(s) per scenario');
  });

  it('verdict points: one per scenario plus one per metric, stamped with the gate end', () => {
    const points = gateVerdictPoints(report);
    expect(points).toHaveLength(3);
    expect(points[1]).toMatchObject({ tags: { metric: 'latency_p95', verdict: 'regression', scenario: 'sse/sustained' }, fields: { regression: 1 } });
    expect(points[1]?.fields.change_pct).toBeCloseTo(25, 10);
    expect(points.every((p) => p.timestamp.toISOString() === report.finishedAt)).toBe(true);
  });
});
