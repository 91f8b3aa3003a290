/** The gate's `report.md`, fit for a GitHub job summary. */
import type { GateReport } from './gate-report.ts';
import { comparedOn, figure, interval, intervalHeader, mde, pValue, percent, summaryLine, verdictLabel } from './gate-format.ts';

const ICON = { pass: '✅', undecided: '❔', regression: '❌', invalid: '⚠️' } as const;

function method(report: GateReport): string {
  const adaptive = report.adaptive
    ? ` Pairs were added until every primary figure was decided, looking at ${report.adaptive.looks.map((l) => l.pairs).join(', ')} ` +
      `pairs with α split across the looks (docs/GATE.md); stopped: ${report.adaptive.stoppedBy}.`
    : '';
  return (
    'A primary figure is a **regression** when its change is significant (log-scale t-test across runs, Holm-corrected ' +
    `over the primary figures, α = ${report.alpha}) and its whole interval lies beyond the figure's margin; **ok** when ` +
    'the interval lies inside ± margin; **undecided** otherwise (exit 0, but the runs could not tell). ' +
    'Instructions per operation are compared by the ratio of medians against their margin. A failed k6 threshold is a ' +
    'regression too. Advisory figures are shown, never decided. MDE: the smallest change in the bad direction that ' +
    `these runs would flag with 90% power.${adaptive}`
  );
}

export function renderGateMarkdown(report: GateReport): string {
  const lines: string[] = [
    `# Tidemark gate: ${ICON[report.verdict]} ${report.verdict}`,
    '',
    `Mode: ${report.mode === 'ab' ? `paired A/B against \`${report.against}\`` : 'committed baselines'} · ` +
      `commit \`${report.git.sha.slice(0, 12)}\` (${report.git.branch}) · ` +
      `machine \`${report.machineClass}\` · run \`${report.runId}\``,
    '',
    `${summaryLine(report)}`,
    '',
    method(report),
    '',
  ];
  for (const s of report.scenarios) {
    lines.push(`## ${ICON[s.verdict]} ${s.scenario}: ${s.verdict}`, '', `Compared on ${comparedOn(s, report.mode)}.`, '');
    for (const reason of s.invalid) lines.push(`- invalid run: ${reason}`);
    for (const reason of s.disturbed ?? []) lines.push(`- disturbed run (counted): ${reason}`);
    for (const slo of s.sloFailures) lines.push(`- threshold failed: \`${slo}\``);
    if (s.invalid.length + (s.disturbed ?? []).length + s.sloFailures.length > 0) lines.push('');
    lines.push(`| metric | ${report.mode === 'ab' ? 'A' : 'baseline'} | current | change | ${intervalHeader(s)} | p (Holm) | MDE (90%) | margin | verdict |`);
    lines.push('|---|---:|---:|---:|---|---:|---:|---:|---|');
    for (const m of s.metrics) {
      const verdict = m.verdict === 'regression' ? `**${verdictLabel(m)}**` : m.role === 'advisory' ? `_${verdictLabel(m)}_` : verdictLabel(m);
      const margin = m.limit === undefined ? `${Number((m.margin * 100).toFixed(2))}%` : `limit ${m.limit}`;
      lines.push(
        `| ${m.metric} | ${figure(m.baseline)} | ${figure(m.current)} | ${percent(m.change)} | ${interval(m)} | ${pValue(m.pAdjusted)} | ${mde(m)} | ${margin} | ${verdict} |`,
      );
    }
    lines.push('');
  }
  if (report.errors.length > 0) {
    lines.push('## Errors', '');
    for (const e of report.errors) lines.push(`- ${e.scenario}: ${e.error}`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
