/** The gate's terminal table: metric, baseline, current, change, interval, p-value, verdict per scenario. */
import Table from 'cli-table3';
import type { GateReport } from './gate-report.ts';
import { figure, interval, pValue, percent, verdictLabel } from './gate-format.ts';

export function renderGateTable(report: GateReport): string {
  const out: string[] = [];
  for (const s of report.scenarios) {
    out.push(`${s.scenario}: ${s.verdict.toUpperCase()}`);
    for (const reason of s.invalid) out.push(`  invalid: ${reason}`);
    for (const slo of s.sloFailures) out.push(`  threshold failed: ${slo}`);
    const table = new Table({
      head: ['metric', report.mode === 'ab' ? 'A' : 'baseline', 'current', 'change', '95% CI', 'p (Holm)', 'verdict'],
      style: { head: [], border: [] },
    });
    for (const m of s.metrics) {
      table.push([m.metric, figure(m.baseline), figure(m.current), percent(m.change), interval(m), pValue(m.pAdjusted), verdictLabel(m)]);
    }
    out.push(table.toString());
  }
  for (const e of report.errors) out.push(`${e.scenario}: ERROR ${e.error}`);
  out.push(`gate ${report.verdict.toUpperCase()} (exit ${report.exitCode}) in ${report.wallTimeS.toFixed(0)} s, ${report.repeat} run(s) per scenario`);
  return out.join('\n');
}
