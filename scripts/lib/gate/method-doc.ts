/**
 * The "Method" section of docs/GATE.md: how the gate decides, generated from the code's own tables so that the
 * document and the decision rules cannot drift apart. accuracy-doc.ts places it in the file it writes.
 */
import { DEFAULT_GATED, MIN_SAMPLES } from './gated-metrics.ts';
import { lookSchedule, PAIRED_DEFAULTS } from './looks.ts';
import { WARMUP_DURATION } from './paired-runs.ts';

function figureRows(): string {
  return Object.entries(DEFAULT_GATED)
    .map(([name, spec]) => {
      const rule = spec.limit !== undefined ? 'absolute limit' : spec.rule === 'deterministic' ? 'median ratio' : 't-test';
      const margin = spec.limit === undefined ? `${Number((spec.margin * 100).toFixed(2))}%` : `limit ${spec.limit}`;
      const role = spec.roleAgainstBaseline && spec.roleAgainstBaseline !== spec.role ? `${spec.role} in a paired gate, ${spec.roleAgainstBaseline} against a baseline` : spec.role;
      return `| \`${name}\` | ${spec.description} | ${role} | ${spec.direction} is better | ${rule} | ${margin} |`;
    })
    .join('\n');
}

/** The section, from its heading to the end of its list, for a gate at family-wise `alpha`. */
export function renderMethodSection(alpha: number): string {
  const { minPairs, maxPairs, budgetS } = PAIRED_DEFAULTS;
  const looks = lookSchedule(minPairs, maxPairs, alpha, 0.95);
  const pct = (x: number): string => `${Number((x * 100).toFixed(2))}%`;
  return `## Method

- **Unit of analysis: one run.** Requests inside a run are not independent, so each run contributes one
  value per figure; a gate compares the baseline's runs with the current runs (or A runs with B runs, pairwise).
- **Validity first.** A run with dropped iterations, an achieved rate more than 2% short of the asked rate,
  a dead target or errors over the 1% budget is invalid; the gate then exits 2 and never passes. Achieved
  throughput belongs here: under an open model every valid run achieves the asked rate, so it is not a gated
  figure (it is shown as an advisory one).
- **Figures, roles and margins** (defaults; a baseline may set its own margin). **Primary** figures decide the
  gate. **Advisory** figures are shown with their change, interval and minimum detectable effect, but are never
  a regression and stay out of the Holm family. A baseline's \`gated\` list says which figures it has figures
  for (committed baselines list throughput and p99); the role always comes from this table (\`DEFAULT_GATED\`
  in scripts/lib/gate/gated-metrics.ts).

| figure | what | role | direction | rule | margin |
|---|---|---|---|---|---|
${figureRows()}

  A latency percentile is compared only when the run has enough samples for it (p50 ≥ ${MIN_SAMPLES.p50},
  p95 ≥ ${MIN_SAMPLES.p95}, p99 ≥ ${MIN_SAMPLES.p99}), so that it rests on 20 or more tail samples. Memory per
  connection exists only where connections are the unit of the scenario.
- **Test.** Per figure, Welch's t-test on the logarithms of the run values (the change is a ratio of
  geometric means; log values make multiplicative noise symmetric). With a single current run, the
  baseline's variance stands for both sides. In paired A/B mode (\`--against\`), a paired t-test on the
  per-pair log ratios (pairs where both runs have the figure), with the run order alternating A B, B A, ...
- **Multiple figures.** Holm's step-down correction across the primary test-based figures of every scenario
  of the gate, at a family-wise α = ${alpha}.
- **Decision of a primary test-based figure**, from its interval (95% unless stated):
  - **regression**: Holm-adjusted p-value below α **and** the whole interval beyond the margin in the bad
    direction; **improvement** the same in the good direction;
  - **unchanged** (shown \`ok\`): the whole interval inside ± margin: the runs rule out a change that matters;
  - **undecided**: anything else. The runs can neither show a change beyond the margin nor rule one out; the
    line shows the interval, and is never reported as \`ok\`.

  A failed k6 threshold (an absolute SLO) is a regression too.
- **Instructions per operation** (\`instructions_per_op\`, the cost probe's \`<target>/cost\` entry) are counted
  by valgrind and repeat within a fraction of a percent, so they get no test: the change is
  median(current) / median(reference) − 1; beyond the margin in the bad direction it is a regression, in the
  good direction an improvement, else unchanged; with no figure on a side, \`insufficient\`. No p-value, outside
  the Holm family. The margin is derived by the cost probe from its measured A/A spread and passed in the spec.
- **Minimum detectable effect (MDE)**, on every line: the smallest true change in the bad direction that the
  line's rule flags with 90% power, for the standard error measured and the runs taken (scripts/lib/gate/power.ts).
  With σ the standard error of the mean log difference, df its degrees of freedom, L the margin as a log
  distance (ln 1.03 for 3%), q_sig = t(1 − α'/2, df) and q_ci = t(1 − (1 − level)/2, df), a true log change δ is
  flagged with probability P = E_s[Φ(min(δ/σ − q_sig·s, (δ − L)/σ − q_ci·s))], s² ~ χ²(df)/df; the MDE is
  e^δ − 1 for the δ where P = 0.9 (a fall, 1 − e^−δ, where higher is better). This is exact (with L = 0 it is the
  noncentral-t power of R's \`power.t.test\`, checked in power.test.ts), and roughly
  δ ≈ max(q_sig·σ, L + q_ci·σ) + t(0.9, df)·σ. The per-test level α' is α/k for a Holm family of k figures:
  the level Holm applies to the smallest p-value, i.e. to one figure regressing while the rest is unchanged;
  with several real changes Holm's later steps are laxer, so the MDE is then conservative. Advisory lines use
  the same α'. For instructions per operation the MDE is the margin.
- **Verdicts and exit code.** A scenario is **invalid** (any invalid run), else a **regression** (a primary
  figure regressed, or a k6 threshold failed), else **undecided** (a primary figure undecided or without enough
  runs), else a **pass**. The gate exits 2 when a scenario is invalid or could not run, 1 on a regression, and
  0 otherwise, **also when undecided**: its verdict is then \`undecided\`, and the table's summary line and
  report.md list each undecided figure with its interval. An undecided figure is an absence of evidence
  either way: failing CI on it would block merges on every noisy latency figure (and teach users to widen
  margins until the gate catches nothing); passing it silently would call it \`ok\`. A CI that wants undecided to
  block reads \`verdict\` in report.json.
- **Paired mode is adaptive** (\`--against\`). Pairs run round by round (one pair of every open scenario per
  round), A B, B A, ..., after one discarded ${WARMUP_DURATION} warm-up run per side (so that the gate's first, cold run
  does not fall on A alone). Each run's load phase is ${PAIRED_DEFAULTS.duration} (\`--duration\`; soaks keep theirs). The gate
  looks at fixed pair counts, every \`--min-pairs\` (default ${minPairs}) up to \`--max-pairs\` (default ${maxPairs}): ${looks.map((l) => l.pairs).join(', ')}. At each look it compares the
  open scenarios; a scenario whose primary figures are all decided (or that already fails) stops. Pairs past the
  first look start only when the next look is expected to end within \`--budget\` (default ${budgetS / 60} min for the
  whole gate; the first look always runs). A figure still open at the end is undecided, with its interval.
  \`--repeat N\` runs exactly N pairs with one look at the whole α. A line per pair shows each open figure's
  current interval.
- **Repeated looks and α.** Looking again and again inflates the false-alarm rate, so look k gets a share
  w_k ∝ k of α (Holm at α·w_k) and of the intervals' miss rate (level 1 − 0.05·w_k); by Bonferroni's inequality
  the chance of any false regression or improvement call over all looks is at most α, and of calling one figure's
  change beyond the margin unchanged at most 2.5%, whatever made the gate stop: every verdict is made at a
  planned look with its share.
  With the defaults: ${looks.map((l) => `${l.pairs} pairs α ${Number(l.alpha.toPrecision(2))}, ${pct(l.level)} intervals`).join('; ')}.
  Early looks get less because at 3 pairs (2 degrees of freedom) α buys almost no power. A group-sequential
  boundary (Pocock, O'Brien-Fleming) would be less conservative but rests on normal statistics with known
  information fractions, not t-tests on 2 to 11 degrees of freedom with Holm across figures.
- **Soak RSS slope.** Only soak runs (\`<target>/soak\`, 10 minutes by default) have this figure: the
  least-squares slope of the target's RSS after the first 2 minutes (or the first fifth, if longer), which hold
  start-up growth; a run needs 3 minutes after that, so a soak under 5 minutes has no slope. It hovers around 0
  and can be negative, so it is held to an absolute limit instead of a test: a median over the runs above the
  limit is a regression. Soak scenarios need no baseline (\`npm run gate -- --only 'sse/soak'\`); clean slopes and the
  leak the limit catches are in docs/RELIABILITY.md.
- The statistics are checked against published reference values: \`scripts/lib/gate/stats.test.ts\` (Welch's
  example from the literature, R's \`t.test\` on the sleep data, R's \`p.adjust\`) and
  \`scripts/lib/gate/power.test.ts\` (R's \`power.t.test\`).
`;
}
