/** The gate's terminal table: per scenario, each figure's reference, current, change, interval, p, MDE, verdict. */
import Table from 'cli-table3';
import type { GateReport } from './gate-report.ts';
import { comparedOn, figure, interval, intervalHeader, mde, pValue, percent, summaryLine, verdictLabel } from './gate-format.ts';

export function renderGateTable(report: GateReport): string {
  const out: string[] = [];
  for (const s of report.scenarios) {
    out.push(`${s.scenario}: ${s.verdict.toUpperCase()} (${comparedOn(s, report.mode)})`);
    for (const reason of s.invalid) out.push(`  invalid: ${reason}`);
    for (const reason of s.disturbed ?? []) out.push(`  disturbed: ${reason}`);
    for (const slo of s.sloFailures) out.push(`  threshold failed: ${slo}`);
    const table = new Table({
      head: ['metric', report.mode === 'ab' ? 'A' : 'baseline', 'current', 'change', intervalHeader(s), 'p (Holm)', 'MDE (90%)', 'verdict'],
      style: { head: [], border: [] },
    });
    for (const m of s.metrics) {
      table.push([m.metric, figure(m.baseline), figure(m.current), percent(m.change), interval(m), pValue(m.pAdjusted), mde(m), verdictLabel(m)]);
    }
    out.push(table.toString());
  }
  for (const e of report.errors) out.push(`${e.scenario}: ERROR ${e.error}`);
  out.push(summaryLine(report));
  return out.join('\n');
}
