/**
 * The regression margin of `instructions_per_op`, from the cost probe's measured A/A spread.
 *
 * margin = max(1%, 4 × spread, 1.25 × whole spread) ({@link marginForFigures}), spread = (max − min) / median of
 * the agreeing figures of one side, whole spread the same over all its figures.
 * - 4 ×: the gate compares two medians, each of which can sit anywhere in its side's range, and a range seen
 *   over a few repeats understates the range over many (for normal noise the expected range of 3 figures is
 *   1.7 σ, of 10 figures 3.1 σ). Four ranges keep an unchanged tree well inside the margin.
 * - 1% floor: below that a lucky set of repeats (spread 0.01%) would turn changes nobody would act on into red
 *   builds, and the count moves by a few tenths of a percent with things the recorded facts do not pin (the
 *   environment's size, the kernel).
 * With the spreads measured (docs/GATE.md) the margin is 1% for every target: a +5% change per operation, the
 * smallest the gate must catch, is beyond it.
 *
 * The spread is taken over the figures that agree ({@link AGREEMENT}): a JIT event (a function optimised at another
 * moment) can move some figures by 1-2% (jsonrpc had 3 figures of 10 at +1.9% until its packages were bundled), so
 * a target can have two levels. Four
 * times a spread that includes both would give up +5% detection; instead the margin also stays
 * {@link MODE_GAP_FACTOR} × above the whole spread, so that an unchanged tree whose sides sit on different levels
 * stays inside it ({@link marginForFigures}).
 */
import { median } from 'simple-statistics';

/** Smallest margin, a share (0.01 = 1%). */
export const COST_MARGIN_FLOOR = 0.01;

/** Margin per unit of measured spread. */
export const COST_MARGIN_SPREAD_FACTOR = 4;

/** The margin for figures whose sides measured these spreads (the largest counts). */
export function costMargin(spreads: readonly number[]): number {
  const widest = Math.max(0, ...spreads.filter((s) => Number.isFinite(s)));
  return Math.max(COST_MARGIN_FLOOR, COST_MARGIN_SPREAD_FACTOR * widest);
}

/** The margin stays this many times above the widest whole spread (max − min over median) of a side. */
export const MODE_GAP_FACTOR = 1.25;

/**
 * The margin for sides with these figures: max(1%, 4 × the widest spread of agreeing figures, 1.25 × the widest
 * whole spread). On two levels 1.9% apart (jsonrpc's, once) that is 2.5%: an unchanged tree reads at most 1.9%, and
 * +5% reads at least 3.1% whichever level each side's median lands on.
 */
export function marginForFigures(...sides: ReadonlyArray<readonly number[]>): number {
  const whole = sides.map(relativeRange);
  return Math.max(costMargin(sides.map(agreedSpread)), MODE_GAP_FACTOR * Math.max(0, ...whole));
}

/** How far a figure may be from its side's median and still agree: 0.25%, above the usual spread (under 0.1%), below the margin. */
export const AGREEMENT = 0.0025;

/** Figures within {@link AGREEMENT} of their median. */
export function agreeing(figures: readonly number[]): number[] {
  if (figures.length === 0) return [];
  const m = median([...figures]);
  return figures.filter((f) => Math.abs(f / m - 1) <= AGREEMENT);
}

/** (max − min) / median; 0 with fewer than two figures. */
function relativeRange(figures: readonly number[]): number {
  if (figures.length < 2) return 0;
  return (Math.max(...figures) - Math.min(...figures)) / median([...figures]);
}

/** (max − min) / median of the agreeing figures; 0 with fewer than two. */
export function agreedSpread(figures: readonly number[]): number {
  return relativeRange(agreeing(figures));
}

/** Most figures {@link untilAgreed} adds to a side. */
export const AGREEMENT_EXTRA_FIGURES = 2;

/**
 * Takes more figures while fewer than two agree, at most {@link AGREEMENT_EXTRA_FIGURES} more: with two figures that
 * disagree it takes a third to know which one strayed. One figure (`--cost-repeat 1`) is taken as it is.
 * Returns `figures`, grown in place.
 */
export async function untilAgreed(figures: number[], measure: () => Promise<number>, log: (line: string) => void, label: string): Promise<number[]> {
  for (let added = 0; figures.length >= 2 && agreeing(figures).length < 2 && added < AGREEMENT_EXTRA_FIGURES; added++) {
    log(`  ${label}: figures ${figures.map((f) => Math.round(f)).join(', ')} disagree by more than ${AGREEMENT * 100}%: one more`);
    figures.push(await measure());
  }
  return figures;
}
