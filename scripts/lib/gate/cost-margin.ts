/**
 * The regression margin of `instructions_per_op`, from the cost probe's measured A/A spread.
 *
 * margin = max(1%, 4 × spread), spread = (max − min) / median of the repeated figures of one side.
 * - 4 ×: the gate compares two medians, each of which can sit anywhere in its side's range, and a range seen
 *   over a few repeats understates the range over many (for normal noise the expected range of 3 figures is
 *   1.7 σ, of 10 figures 3.1 σ). Four ranges keep an unchanged tree well inside the margin.
 * - 1% floor: below that a lucky set of repeats (spread 0.01%) would turn changes nobody would act on into red
 *   builds, and the count moves by a few tenths of a percent with things the recorded facts do not pin (the
 *   environment's size, the kernel).
 * With the spreads measured (docs/GATE.md, at most 0.5%) the margin stays at or below 2%: a +5% change per
 * operation, the smallest the gate must catch, is well beyond it.
 */

/** Smallest margin, a share (0.01 = 1%). */
export const COST_MARGIN_FLOOR = 0.01;

/** Margin per unit of measured spread. */
export const COST_MARGIN_SPREAD_FACTOR = 4;

/** The margin for figures whose sides measured these spreads (the largest counts). */
export function costMargin(spreads: readonly number[]): number {
  const widest = Math.max(0, ...spreads.filter((s) => Number.isFinite(s)));
  return Math.max(COST_MARGIN_FLOOR, COST_MARGIN_SPREAD_FACTOR * widest);
}
