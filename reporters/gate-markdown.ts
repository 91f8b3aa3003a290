/** The gate's `report.md`, fit for a GitHub job summary. */
import type { GateReport } from './gate-report.ts';
import { figure, interval, pValue, percent, verdictLabel } from './gate-format.ts';

const ICON = { pass: '✅', regression: '❌', invalid: '⚠️' } as const;

export function renderGateMarkdown(report: GateReport): string {
  const lines: string[] = [
    `# Tidemark gate: ${ICON[report.verdict]} ${report.verdict}`,
    '',
    `Mode: ${report.mode === 'ab' ? `paired A/B against \`${report.against}\`` : 'committed baselines'} · ` +
      `${report.repeat} run(s) per scenario · commit \`${report.git.sha.slice(0, 12)}\` (${report.git.branch}) · ` +
      `machine \`${report.machineClass}\` · ${report.wallTimeS.toFixed(0)} s · run \`${report.runId}\``,
    '',
    'A change is a regression when it is significant (log-scale t-test across runs, Holm-corrected, ' +
      `α = ${report.alpha}) and its 95% interval lies beyond the metric's margin; a failed k6 threshold is one too.`,
    '',
  ];
  for (const s of report.scenarios) {
    lines.push(`## ${ICON[s.verdict]} ${s.scenario}: ${s.verdict}`, '');
    for (const reason of s.invalid) lines.push(`- invalid run: ${reason}`);
    for (const slo of s.sloFailures) lines.push(`- threshold failed: \`${slo}\``);
    if (s.invalid.length + s.sloFailures.length > 0) lines.push('');
    lines.push(`| metric | ${report.mode === 'ab' ? 'A' : 'baseline'} | current | change | 95% CI | p (Holm) | margin | verdict |`);
    lines.push('|---|---:|---:|---:|---|---:|---:|---|');
    for (const m of s.metrics) {
      const verdict = m.verdict === 'regression' ? `**${verdictLabel(m)}**` : verdictLabel(m);
      lines.push(
        `| ${m.metric} | ${figure(m.baseline)} | ${figure(m.current)} | ${percent(m.change)} | ${interval(m)} | ${pValue(m.pAdjusted)} | ${m.limit === undefined ? `${(m.margin * 100).toFixed(0)}%` : `limit ${m.limit}`} | ${verdict} |`,
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
