/**
 * How one gated figure's verdict follows from its numbers: the interval rule for figures decided by a test
 * across runs, and the median-ratio rule for a near-deterministic figure (instructions per operation).
 */
import { median } from 'simple-statistics';
import type { Direction } from './gated-metrics.ts';

/** Verdicts a decision rule can reach; `undecided` only for test-based figures. */
export type RuleVerdict = 'regression' | 'improvement' | 'unchanged' | 'undecided';

/**
 * A test-based figure from its interval of the ratio current / reference and its (Holm) significance:
 * - `regression` / `improvement`: significant and the whole interval beyond the margin on the bad / good side;
 * - `unchanged`: the whole interval inside [1 − margin, 1 + margin] (the runs rule out a change that matters);
 * - `undecided`: anything else: the runs can neither show a change beyond the margin nor rule one out.
 */
export function intervalVerdict(
  interval: { low: number; high: number },
  direction: Direction,
  margin: number,
  significant: boolean,
): RuleVerdict {
  const above = interval.low > 1 + margin;
  const below = interval.high < 1 - margin;
  const worse = direction === 'lower' ? above : below;
  const better = direction === 'lower' ? below : above;
  if (significant && worse) return 'regression';
  if (significant && better) return 'improvement';
  if (interval.low >= 1 - margin && interval.high <= 1 + margin) return 'unchanged';
  return 'undecided';
}

export interface DeterministicOutcome {
  verdict: Exclude<RuleVerdict, 'undecided'> | 'insufficient';
  /** median(current) / median(reference) − 1; null without figures on a side. */
  change: number | null;
}

/**
 * A near-deterministic figure (instructions per operation counted under valgrind, which repeat within a fraction
 * of a percent): no test and no p-value, because the run-to-run spread it would estimate is the probe's own small
 * A/A spread, already folded into the margin. Regression when median(current) / median(reference) − 1 lies beyond
 * the margin in the bad direction, improvement when beyond it in the good one, else unchanged; `insufficient`
 * when a side has no figure (or the reference median is not positive).
 */
export function deterministicVerdict(reference: number[], current: number[], direction: Direction, margin: number): DeterministicOutcome {
  if (reference.length === 0 || current.length === 0) return { verdict: 'insufficient', change: null };
  const ref = median(reference);
  if (!(ref > 0)) return { verdict: 'insufficient', change: null };
  const change = median(current) / ref - 1;
  const worse = direction === 'lower' ? change > margin : change < -margin;
  const better = direction === 'lower' ? change < -margin : change > margin;
  return { verdict: worse ? 'regression' : better ? 'improvement' : 'unchanged', change };
}
