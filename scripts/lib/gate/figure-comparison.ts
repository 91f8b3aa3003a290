/**
 * One gated figure of one scenario as a report line, by its rule: an absolute limit, the deterministic median
 * ratio, or a log-scale t-test across runs. Test-based lines leave their verdict, Holm p-value and MDE to
 * compare.ts, which needs every test of the gate first.
 */
import { median } from 'simple-statistics';
import type { MetricComparison } from '../../../reporters/gate-report.ts';
import { deterministicVerdict } from './decision-rules.ts';
import type { FigureRole, FigureSpec } from './gated-metrics.ts';
import { logPaired, logTwoSample, type LogTest } from './stats.ts';

export interface FigureValues {
  scenario: string;
  metric: string;
  spec: FigureSpec;
  role: FigureRole;
  /** The figure per reference run (baseline runs, or A runs) and per current run; null where a run lacks it. */
  reference: Array<number | null>;
  current: Array<number | null>;
  /** reference[i] and current[i] ran as a pair. */
  paired: boolean;
}

export function numbers(values: Array<number | null | undefined>): number[] {
  return values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

function medianOrNull(values: number[]): number | null {
  return values.length === 0 ? null : median(values);
}

/** The fields every line shares; rule-specific ones are filled in by the callers. */
function line(f: FigureValues, rule: MetricComparison['rule']): MetricComparison {
  return {
    scenario: f.scenario,
    metric: f.metric,
    role: f.role,
    rule,
    direction: f.spec.direction,
    margin: f.spec.margin,
    baseline: medianOrNull(numbers(f.reference)),
    current: medianOrNull(numbers(f.current)),
    change: null,
    ciLow: null,
    ciHigh: null,
    ciLevel: null,
    p: null,
    pAdjusted: null,
    mde: null,
    method: null,
    verdict: 'insufficient',
  };
}

/** A figure gated by an absolute ceiling: the median of the current runs beyond the limit is a regression. */
export function limitComparison(f: FigureValues, limit: number): MetricComparison {
  const cmp: MetricComparison = { ...line(f, 'limit'), limit };
  if (cmp.current === null) return cmp;
  const over = f.spec.direction === 'lower' ? cmp.current > limit : cmp.current < limit;
  return { ...cmp, verdict: over ? 'regression' : 'unchanged' };
}

/** A near-deterministic figure: median ratio against the margin (decision-rules.ts); its MDE is the margin. */
export function deterministicComparison(f: FigureValues): MetricComparison {
  const { verdict, change } = deterministicVerdict(numbers(f.reference), numbers(f.current), f.spec.direction, f.spec.margin);
  const mde = f.spec.direction === 'lower' ? f.spec.margin : -f.spec.margin;
  return { ...line(f, 'deterministic'), change, mde, verdict: f.role === 'advisory' && verdict !== 'insufficient' ? 'advisory' : verdict };
}

/**
 * Paired: only pairs where both runs have the figure (a pair is dropped whole, so pairing is kept); unpaired:
 * every run that has it. Null when there are too few to test.
 */
function logTest(f: FigureValues, level: number): LogTest | null {
  if (!f.paired) return logTwoSample(numbers(f.reference), numbers(f.current), level);
  const a: number[] = [];
  const b: number[] = [];
  f.reference.forEach((x, i) => {
    const y = f.current[i];
    if (typeof x === 'number' && typeof y === 'number') {
      a.push(x);
      b.push(y);
    }
  });
  return logPaired(a, b, level);
}

/** A test-based line with its change and interval; verdict, Holm p-value and MDE are set by compare.ts. */
export function testComparison(f: FigureValues, level: number): { cmp: MetricComparison; test: LogTest | null } {
  const test = logTest(f, level);
  const cmp = line(f, 'test');
  if (test === null) {
    const nonPositive = numbers([...f.reference, ...f.current]).filter((v) => !(v > 0)).length;
    const note = nonPositive > 0 ? `value ≤ 0 in ${nonPositive} run${nonPositive === 1 ? '' : 's'}` : undefined;
    return { cmp: { ...cmp, ...(note ? { note } : {}), verdict: f.role === 'advisory' ? 'advisory' : 'insufficient' }, test };
  }
  return {
    cmp: {
      ...cmp,
      change: test.ratio - 1,
      ciLow: test.ciLow - 1,
      ciHigh: test.ciHigh - 1,
      ciLevel: level,
      p: test.p,
      method: test.method,
      verdict: f.role === 'advisory' ? 'advisory' : 'undecided',
    },
    test,
  };
}
