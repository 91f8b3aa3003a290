/** Number formatting shared by the gate's table and markdown reports. */
import type { MetricComparison } from './gate-report.ts';

/** A figure with sensible precision: 3 significant digits below 100. */
export function figure(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '-';
  if (Math.abs(value) >= 100) return value.toFixed(0);
  return value.toPrecision(3);
}

/** A share as a signed percentage: 0.1 -> `+10.0%`. */
export function percent(share: number | null): string {
  if (share === null || !Number.isFinite(share)) return '-';
  return `${share >= 0 ? '+' : ''}${(share * 100).toFixed(1)}%`;
}

export function interval(m: MetricComparison): string {
  return m.ciLow === null || m.ciHigh === null ? '-' : `[${percent(m.ciLow)}, ${percent(m.ciHigh)}]`;
}

export function pValue(p: number | null): string {
  if (p === null) return '-';
  return p < 0.0001 ? '<0.0001' : p.toFixed(4);
}

/** Verdict word as shown to people. */
export function verdictLabel(m: MetricComparison): string {
  switch (m.verdict) {
    case 'regression':
      return 'REGRESSION';
    case 'improvement':
      return 'improved';
    case 'unchanged':
      return 'ok';
    case 'insufficient':
      return 'too few runs';
  }
}
