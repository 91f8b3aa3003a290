import { describe, expect, it } from 'vitest';
import type { GateReport, MetricComparison } from './gate-report.ts';
import { renderGateMarkdown } from './gate-markdown.ts';
import { renderGateTable } from './gate-table.ts';
import { gateVerdictPoints } from './influx-verdicts.ts';

const p95: MetricComparison = {
  scenario: 'sse/sustained', metric: 'latency_p95', role: 'primary', rule: 'test', direction: 'lower', margin: 0.03, baseline: 2, current: 2.5,
  change: 0.25, ciLow: 0.18, ciHigh: 0.32, ciLevel: 0.95, p: 0.0001, pAdjusted: 0.0004, mde: 0.123, method: 'welch', verdict: 'regression',
};
const cpu: MetricComparison = { ...p95, metric: 'cpu_ms_per_op', role: 'advisory', baseline: 0.1, current: 0.1, change: 0.004, ciLow: -0.02, ciHigh: 0.03, p: 0.7, pAdjusted: null, mde: 0.061, verdict: 'advisory' };
const p50: MetricComparison = { ...p95, metric: 'latency_p50', baseline: 1, current: 1.01, change: 0.01, ciLow: -0.08, ciHigh: 0.12, p: 0.8, pAdjusted: 1, mde: 0.35, verdict: 'undecided' };
const report: GateReport = {
  schema: 'tidemark.gate/2', runId: 'r1', mode: 'baseline', against: null,
  startedAt: '2026-11-22T10:00:00.000Z', finishedAt: '2026-11-22T10:03:00.000Z', wallTimeS: 180,
  git: { sha: '0123456789abcdef', branch: 'feature', dirty: false }, machineClass: '2cpu-x64-test', repeat: 3, adaptive: null, alpha: 0.01,
  scenarios: [{ scenario: 'sse/sustained', verdict: 'regression', runs: 3, invalid: [], sloFailures: ['sse_gaps: count==0'], metrics: [p95, cpu] }],
  errors: [], exitCode: 1, verdict: 'regression',
};
const undecided: GateReport = {
  ...report, mode: 'ab', against: 'main', exitCode: 0, verdict: 'undecided', repeat: 12,
  adaptive: { minPairs: 3, maxPairs: 12, budgetS: 600, looks: [3, 6, 9, 12].map((pairs, i) => ({ pairs, alpha: 0.001 * (i + 1), level: 1 - 0.005 * (i + 1) })), stoppedBy: 'max-pairs' },
  scenarios: [{
    scenario: 'sse/sustained', verdict: 'undecided', runs: 12, look: { index: 4, of: 4, pairs: 12, alpha: 0.004, level: 0.98 }, invalid: [], sloFailures: [],
    metrics: [{ ...p50, ciLevel: 0.98 }, { ...cpu, ciLevel: 0.98 }],
  }],
};

describe('gate reports', () => {
  it('markdown names scenario, metric, figures, interval, MDE and verdict', () => {
    const md = renderGateMarkdown(report);
    expect(md).toContain('# Tidemark gate: ❌ regression');
    expect(md).toContain('## ❌ sse/sustained: regression');
    expect(md).toContain('threshold failed: `sse_gaps: count==0`');
    expect(md).toContain('| metric | baseline | current | change | 95% CI | p (Holm) | MDE (90%) | margin | verdict |');
    expect(md).toContain('| latency_p95 | 2 | 2.50 | +25.0% | [+18.0%, +32.0%] | 0.0004 | +12.3% | 3% | **REGRESSION** |');
    // Advisory: its change, interval and MDE, outside Holm, never a verdict.
    expect(md).toContain('| cpu_ms_per_op | 0.100 | 0.100 | +0.4% | [-2.0%, +3.0%] | - | +6.1% | 3% | _advisory_ |');
  });

  it('terminal table ends with the verdict and exit code', () => {
    const table = renderGateTable(report);
    expect(table).toMatch(/latency_p95.*\+12\.3%.*REGRESSION/);
    expect(table.trim().split('\n').at(-1)).toBe('gate REGRESSION (exit 1) in 180 s, 3 run(s) per scenario');
  });

  it('an undecided gate lists each open figure with its interval, and shows the look it was decided at', () => {
    const table = renderGateTable(undecided);
    expect(table.trim().split('\n').at(-1)).toBe(
      'gate UNDECIDED (exit 0) in 180 s, 12 pair(s) per scenario (adaptive, stopped: max-pairs); undecided: sse/sustained latency_p50 [-8.0%, +12.0%]',
    );
    expect(table).toContain('sse/sustained: UNDECIDED (12 pairs, look 4 of 4: α 0.004, 98% intervals)');
    expect(table).toMatch(/98% CI/);
    const md = renderGateMarkdown(undecided);
    expect(md).toContain('# Tidemark gate: ❔ undecided');
    expect(md).toContain('| latency_p50 | 1 | 1.01 | +1.0% | [-8.0%, +12.0%] | 1.0000 | +35.0% | 3% | undecided |');
    expect(md).toContain('looking at 3, 6, 9, 12 pairs');
  });

  it('lists disturbed runs (counted, never silently) in the table and the markdown', () => {
    const disturbed: GateReport = { ...report, scenarios: [{ ...report.scenarios[0]!, disturbed: ['sse/sustained run 2: target waited for a CPU 180% of its CPU time (bound 50%)'] }] };
    expect(renderGateTable(disturbed)).toContain('  disturbed: sse/sustained run 2: target waited for a CPU 180% of its CPU time (bound 50%)');
    expect(renderGateMarkdown(disturbed)).toContain('- disturbed run (counted): sse/sustained run 2: target waited');
    expect(renderGateTable(report)).not.toContain('disturbed');
  });

  it('shows an MDE beyond +1000% as such, and says why a figure was not testable', () => {
    const hopeless: GateReport = {
      ...undecided,
      scenarios: [{ ...undecided.scenarios[0]!, metrics: [{ ...p50, mde: 1.8e40 }, { ...p95, change: null, ciLow: null, ciHigh: null, mde: null, verdict: 'insufficient', note: 'value ≤ 0 in 1 run' }] }],
    };
    const table = renderGateTable(hopeless);
    expect(table).toMatch(/latency_p50.*>\+1000%.*undecided/);
    expect(table).toMatch(/latency_p95.*not testable: value ≤ 0 in 1 run/);
    expect(table.trim().split('\n').at(-1)).toContain('sse/sustained latency_p95 (not testable: value ≤ 0 in 1 run)');
  });

  it('verdict points: one per scenario plus one per metric, stamped with the gate end', () => {
    const points = gateVerdictPoints(report);
    expect(points).toHaveLength(3);
    expect(points[1]).toMatchObject({ tags: { metric: 'latency_p95', verdict: 'regression', scenario: 'sse/sustained', role: 'primary' }, fields: { regression: 1, undecided: 0 } });
    expect(points[1]?.fields.change_pct).toBeCloseTo(25, 10);
    expect(points[1]?.fields.mde_pct).toBeCloseTo(12.3, 10);
    expect(points[2]).toMatchObject({ tags: { metric: 'cpu_ms_per_op', verdict: 'advisory', role: 'advisory' } });
    expect(points.every((p) => p.timestamp.toISOString() === report.finishedAt)).toBe(true);
    expect(gateVerdictPoints(undecided)[0]).toMatchObject({ tags: { metric: '_scenario', verdict: 'undecided' }, fields: { undecided: 1, runs: 12 } });
  });
});
