/** Gate-specific formatting shared by the gate's table and markdown reports. */
import { fmtChange } from './format.ts';
import type { MetricComparison } from './gate-report.ts';

export { fmtChange as percent, fmtNumber as figure } from './format.ts';

/** The confidence interval of the change: `[+2.1%, +9.8%]`. */
export function interval(m: MetricComparison): string {
  return m.ciLow === null || m.ciHigh === null ? '-' : `[${fmtChange(m.ciLow)}, ${fmtChange(m.ciHigh)}]`;
}

export function pValue(p: number | null): string {
  if (p === null) return '-';
  return p < 0.0001 ? '<0.0001' : p.toFixed(4);
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
    case 'insufficient':
      // A limit needs no reference runs: what is missing is the figure itself (a soak slope needs 5 minutes).
      return m.limit === undefined ? 'too few runs' : 'not measured (run too short)';
  }
}
