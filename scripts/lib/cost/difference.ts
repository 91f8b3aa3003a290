/**
 * From two workload sizes to instructions per operation. Start-up, warm-up, idle and shutdown are the same in
 * the small and the large run (the large one repeats the small one's requests first), so they cancel in
 * the difference; what is left is the work of the operations the large run did beyond the small one.
 */
import { max, median, min } from 'simple-statistics';

/** One run's totals: instructions over the target's whole life and its `/stats` `ops` at the end. */
export interface WorkloadPoint {
  instructions: number;
  ops: number;
}

/**
 * `(I_large - I_small) / (ops_large - ops_small)`.
 * @throws when the large run did not do more operations, or used fewer instructions (a broken run)
 */
export function instructionsPerOp(small: WorkloadPoint, large: WorkloadPoint): number {
  const ops = large.ops - small.ops;
  const instructions = large.instructions - small.instructions;
  if (!(ops > 0)) throw new Error(`the large workload did ${large.ops} operations, the small one ${small.ops}: expected more in the large one`);
  if (!(instructions > 0)) {
    throw new Error(`the large workload counted ${large.instructions} instructions, the small one ${small.instructions}: expected more in the large one (was a run cut short?)`);
  }
  return instructions / ops;
}

/** Median and spread of repeated figures: spread = (max - min) / median, the probe's A/A figure. */
export function summarizeRuns(values: readonly number[]): { median: number; spread: number } {
  if (values.length === 0) throw new Error('no runs to summarize');
  const m = median([...values]);
  return { median: m, spread: m > 0 ? (max([...values]) - min([...values])) / m : 0 };
}
