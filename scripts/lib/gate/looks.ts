/**
 * The planned looks of an adaptive paired gate, and how its error rates are split across them.
 *
 * Looking at the data after every few pairs and stopping when a figure looks decided inflates the false-alarm
 * rate: each look is another chance for noise to cross the bar. The gate controls this with looks fixed in
 * advance (every `minPairs` pairs up to `maxPairs`: 3, 6, 9, 12 by default) and a share w_k of α for look k,
 * with w_k ∝ k (1/10, 2/10, 3/10, 4/10 for four looks). Look k applies Holm at family-wise α·w_k and makes its
 * intervals at level 1 − (1 − level)·w_k. By Bonferroni's inequality the chance of any false regression or
 * improvement call over all the looks is at most Σ α·w_k = α, and of calling a change beyond the margin
 * `unchanged` at most (1 − level)/2, whatever the correlation between looks and whatever made the gate stop: every
 * verdict is made at a planned look with that look's share. Early looks get less because at 3 pairs (2 degrees of
 * freedom) a share of α buys almost no power; the last look keeps 40%.
 *
 * Why not a group-sequential boundary (Pocock, O'Brien-Fleming)? Those rest on the joint normal law of the look
 * statistics with a known information fraction; with t-tests on 2 to 11 degrees of freedom and Holm across
 * figures, exact boundaries would need simulation. The Bonferroni split is valid without assumptions, easy to
 * audit, and costs little: at the last look a 98% interval on 11 df is 24% wider than a 95% one.
 */

/**
 * Paired mode defaults: pairs before the first look and between looks, most pairs per scenario, the wall-time
 * budget of the whole gate in seconds, and each run's load phase. 20 minutes is what a pull request's gate over the
 * default suite may take (issue 12); 10-second runs (scenarios default to 15) fit its first look in that: 12
 * scenarios × 3 pairs × 2 runs of about 11 s, after the cost probes (about 3.5 minutes) and the warm-ups.
 */
export const PAIRED_DEFAULTS = { minPairs: 3, maxPairs: 12, budgetS: 1200, duration: '10s' } as const;

export interface Look {
  /** Pairs per scenario at this look. */
  pairs: number;
  /** Family-wise α of Holm at this look. */
  alpha: number;
  /** Confidence level of the intervals at this look. */
  level: number;
}

/**
 * Looks every `minPairs` pairs from `minPairs` to `maxPairs` (always one at `maxPairs`), α and the intervals'
 * miss rate split with weights ∝ look number.
 */
export function lookSchedule(minPairs: number, maxPairs: number, alpha: number, level: number): Look[] {
  if (!(Number.isInteger(minPairs) && minPairs >= 2)) throw new Error(`--min-pairs ${minPairs}: expected an integer of 2 or more (a paired test needs 2 pairs)`);
  if (!(Number.isInteger(maxPairs) && maxPairs >= minPairs)) throw new Error(`--max-pairs ${maxPairs}: expected an integer of at least --min-pairs (${minPairs})`);
  const counts: number[] = [];
  for (let n = minPairs; n < maxPairs; n += minPairs) counts.push(n);
  counts.push(maxPairs);
  const total = (counts.length * (counts.length + 1)) / 2;
  return counts.map((pairs, i) => {
    const share = (i + 1) / total;
    return { pairs, alpha: alpha * share, level: 1 - (1 - level) * share };
  });
}

/** A gate with a fixed number of pairs (`--repeat N`): one look, the whole α. */
export function fixedLook(pairs: number, alpha: number, level: number): Look[] {
  return [{ pairs, alpha, level }];
}
