/** Gate-specific formatting shared by the gate's table and markdown reports. */
import { fmtChange } from './format.ts';
import type { GateReport, MetricComparison, ScenarioComparison } from './gate-report.ts';

export { fmtChange as percent, fmtNumber as figure } from './format.ts';

/** The confidence interval of the change: `[+2.1%, +9.8%]`. */
export function interval(m: MetricComparison): string {
  return m.ciLow === null || m.ciHigh === null ? '-' : `[${fmtChange(m.ciLow)}, ${fmtChange(m.ciHigh)}]`;
}

export function pValue(p: number | null): string {
  if (p === null) return '-';
  return p < 0.0001 ? '<0.0001' : p.toFixed(4);
}

/** A share as a percentage without trailing zeros: 0.95 → `95%`, 0.9875 → `98.75%`. */
function levelPct(level: number): string {
  return `${Number((level * 100).toFixed(2))}%`;
}

/** Column title of a scenario's intervals: `95% CI`, or `CI` when its lines have different levels. */
export function intervalHeader(s: ScenarioComparison): string {
  const levels = [...new Set(s.metrics.map((m) => m.ciLevel).filter((l): l is number => l !== null))];
  return levels.length > 1 ? 'CI' : `${levelPct(levels[0] ?? 0.95)} CI`;
}

/** What a scenario was compared on, for its heading: runs or pairs, and the look of an adaptive paired gate. */
export function comparedOn(s: ScenarioComparison, mode: GateReport['mode']): string {
  const runs = `${s.runs} ${mode === 'ab' ? 'pair' : 'run'}${s.runs === 1 ? '' : 's'}`;
  if (!s.look) return runs;
  return `${runs}, look ${s.look.index} of ${s.look.of}: α ${Number(s.look.alpha.toPrecision(2))}, ${levelPct(s.look.level)} intervals`;
}

/**
 * Minimum detectable effect at 90% power, signed in the bad direction: `+12.3%`. Beyond +1000% it is shown as
 * `>+1000%`: with 2 pairs (1 degree of freedom) it can reach 10^40, a number that only says "nothing detectable".
 */
export function mde(m: MetricComparison): string {
  return m.mde !== null && m.mde > 10 ? '>+1000%' : fmtChange(m.mde);
}

/** Verdict word as shown to people. */
export function verdictLabel(m: MetricComparison): string {
  switch (m.verdict) {
    case 'regression':
      return m.limit === undefined ? 'REGRESSION' : `REGRESSION (> ${m.limit})`;
    case 'improvement':
      return 'improved';
    case 'unchanged':
      return m.limit === undefined ? 'ok' : `ok (≤ ${m.limit})`;
    case 'undecided':
      return 'undecided';
    case 'advisory':
      return 'advisory';
    case 'insufficient':
      if (m.note) return `not testable: ${m.note}`;
      // A limit needs no reference runs: what is missing is the figure itself (a soak slope needs 5 minutes).
      return m.limit === undefined ? 'too few runs' : 'not measured (run too short)';
  }
}

/** Primary figures the runs did not decide, with their intervals: `sse/sustained latency_p95 [-8.0%, +12.0%]`. */
export function undecidedFigures(report: GateReport): string[] {
  return report.scenarios.flatMap((s) =>
    s.metrics
      .filter((m) => m.role === 'primary' && (m.verdict === 'undecided' || m.verdict === 'insufficient'))
      .map((m) => `${m.scenario} ${m.metric} ${m.verdict === 'undecided' ? interval(m) : `(${verdictLabel(m)})`}`),
  );
}

/** The gate's closing line: verdict, exit code, wall time, runs, and what was left undecided. */
export function summaryLine(report: GateReport): string {
  const counts = report.scenarios.map((s) => s.runs);
  const unit = report.mode === 'ab' ? 'pair(s)' : 'run(s)';
  const low = Math.min(...counts);
  const runs = counts.length > 0 && low !== report.repeat ? `${low}-${report.repeat} ${unit}` : `${report.repeat} ${unit}`;
  const stopped = report.adaptive ? ` (adaptive, stopped: ${report.adaptive.stoppedBy})` : '';
  const open = undecidedFigures(report);
  return (
    `gate ${report.verdict.toUpperCase()} (exit ${report.exitCode}) in ${report.wallTimeS.toFixed(0)} s, ${runs} per scenario${stopped}` +
    (open.length > 0 ? `; undecided: ${open.join(', ')}` : '')
  );
}
