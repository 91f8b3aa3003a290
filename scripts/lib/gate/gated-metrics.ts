/** The figures the gate compares, taken from one run result, with their role, direction, rule and default margin. */
import type { RunResult } from '../../../reporters/run-result.ts';

export type Direction = 'lower' | 'higher';

/**
 * `primary`: gated: decided (regression, improvement, unchanged or undecided) and, when test-based, in the Holm
 * family. `advisory`: reported with its change, interval and MDE, never a regression, outside the Holm family.
 */
export type FigureRole = 'primary' | 'advisory';

export interface GatedMetricSpec {
  /** Which way is better. */
  direction: Direction;
  /**
   * Practical margin: a change is a regression only when its confidence bound lies beyond this share
   * (0.03 = 3%). Defaults are in DEFAULT_GATED; a baseline may set its own per metric.
   */
  margin: number;
  /** What the figure is, for reports. */
  description: string;
  /**
   * An absolute ceiling instead of a comparison: the median of the current runs above it is a regression,
   * whatever the reference says (used for the soak RSS slope, which hovers around 0 and can be negative, so
   * a log-scale test of it means nothing). Default none.
   */
  limit?: number;
  /**
   * `deterministic`: a near-deterministic figure decided by the ratio of medians against the margin, without a
   * test (decision-rules.ts `deterministicVerdict`); its margin comes from the probe's measured A/A spread.
   * Default: a t-test across runs.
   */
  rule?: 'deterministic';
}

/** What a comparison needs of a figure's spec (a baseline's `gated` entries, or specs built by the gate). */
export type FigureSpec = Pick<GatedMetricSpec, 'direction' | 'margin' | 'limit' | 'rule'>;

/** A figure the code knows, with its role: the one table roles are taken from (a baseline's copy is ignored). */
export interface KnownFigure extends GatedMetricSpec {
  role: FigureRole;
  /**
   * Its role against a committed baseline, where that differs: a figure whose level drifts with the machine's state
   * over minutes can be compared only with runs interleaved with it (paired mode). @default role
   */
  roleAgainstBaseline?: FigureRole;
}

/**
 * Soak RSS slope ceiling, MB/min. Node's RSS moves in a slow sawtooth (the broker's rose 58 → 96 MB over five
 * minutes of a clean soak, then fell to 68), so clean 10-minute soaks measured from -2.4 to +3.1 MB/min
 * (docs/RELIABILITY.md). 5 MB/min stays above that and flags a leak of 5 MB a minute, about 7 GB a day;
 * smaller leaks need a longer soak (`--duration 1h`), where the sawtooth weighs less.
 */
export const SOAK_SLOPE_LIMIT_MB_PER_MIN = 5;

/**
 * Every figure the gate knows, with its role and documented default margin (see docs/GATE.md). Primary: protocol
 * latency p50 and p95, instructions per operation (cost probe), memory per connection (where connections are the
 * unit: other scenarios have no such figure) and the soak RSS slope limit. Advisory: p99 (a tail that needs more
 * samples than a short run has to be steady), CPU time per operation (instructions per operation measures the
 * same work without the scheduler's noise) and throughput (under an open model a valid run achieves the asked
 * rate by definition: reporters/validity.ts holds it to that, so as a figure it can only echo validity).
 * Committed baselines list throughput and p99 among their `gated` figures: that list says which figures a
 * baseline has, and the role here decides what the gate does with them.
 */
export const DEFAULT_GATED: Record<string, KnownFigure> = {
  latency_p50: { role: 'primary', direction: 'lower', margin: 0.03, description: 'protocol latency p50, ms' },
  latency_p95: { role: 'primary', direction: 'lower', margin: 0.03, description: 'protocol latency p95, ms' },
  latency_p99: { role: 'advisory', direction: 'lower', margin: 0.05, description: 'protocol latency p99, ms' },
  throughput: { role: 'advisory', direction: 'higher', margin: 0.02, description: 'achieved operations per second' },
  cpu_ms_per_op: { role: 'advisory', direction: 'lower', margin: 0.03, description: 'target CPU time per operation, ms' },
  rss_per_connection_kb: {
    role: 'primary',
    // Unchanged runs drifted from 149 to 180 KB per SSE connection within 17 minutes (then held), more than the +10%
    // a regression must show: against a baseline from another hour it would flag drift (docs/GATE.md "Accuracy in
    // baseline mode"); interleaved pairs cancel it.
    roleAgainstBaseline: 'advisory',
    direction: 'lower',
    margin: 0.05,
    description: 'target RSS per connection, KB',
  },
  instructions_per_op: {
    role: 'primary',
    direction: 'lower',
    // A fallback only: the cost probe passes the margin it derives from its measured A/A spread.
    margin: 0.01,
    rule: 'deterministic',
    description: 'target instructions per operation under valgrind (cost probe, `<target>/cost`)',
  },
  rss_slope_mb_per_min: {
    role: 'primary',
    direction: 'lower',
    margin: 0,
    description: 'target RSS growth after the first 2 minutes of a soak run (5 minutes or more), MB/min',
    limit: SOAK_SLOPE_LIMIT_MB_PER_MIN,
  },
};

/** A figure's role from DEFAULT_GATED, in a paired gate or against a baseline; a figure the code does not know is advisory. */
export function figureRole(metric: string, paired: boolean): FigureRole {
  const known = DEFAULT_GATED[metric];
  if (!known) return 'advisory';
  return paired ? known.role : (known.roleAgainstBaseline ?? known.role);
}

/** Figures gated by an absolute limit only (no reference needed): what a soak without a baseline is held to. */
export const LIMIT_GATED: Record<string, GatedMetricSpec> = Object.fromEntries(
  Object.entries(DEFAULT_GATED).filter(([, spec]) => spec.limit !== undefined),
);

/**
 * The figures a load run of a scenario is compared on in a paired gate: the soak slope only where the profile is
 * `soak`, and no deterministic figure (instructions per operation comes from the cost probe, compared in its own
 * `<target>/cost` entry).
 */
export function defaultGatedFor(scenario: string): Record<string, GatedMetricSpec> {
  const soak = scenario.endsWith('/soak');
  return Object.fromEntries(
    Object.entries(DEFAULT_GATED).filter(([name, spec]) => spec.rule !== 'deterministic' && (soak || name !== 'rss_slope_mb_per_min')),
  );
}

/**
 * Fewest latency samples a run needs before its percentile is gated: a percentile resting on a handful of
 * tail samples swings between identical runs (p99 of 600 samples is about the 6th largest), so it is left out
 * rather than allowed to raise false alarms. At these counts each percentile rests on 20 or more tail samples.
 */
export const MIN_SAMPLES = { p50: 40, p95: 400, p99: 2000 } as const;

/** The gated figures of one run; null where the run does not have that figure (or too few samples for it). */
export function gatedFigures(run: RunResult): Record<string, number | null> {
  const latency = run.latencyMetric ? run.metrics[run.latencyMetric] : undefined;
  const count = latency?.count ?? 0;
  const percentile = (value: number | null | undefined, min: number): number | null => (count >= min ? value ?? null : null);
  return {
    latency_p50: percentile(latency?.p50, MIN_SAMPLES.p50),
    latency_p95: percentile(latency?.p95, MIN_SAMPLES.p95),
    latency_p99: percentile(latency?.p99, MIN_SAMPLES.p99),
    throughput: run.load.achievedRate,
    cpu_ms_per_op: run.resources?.cpuMsPerOp ?? null,
    rss_per_connection_kb: run.resources?.rssPerConnectionKB ?? null,
    // Only soak runs are long enough for a slope to mean a leak; in a 15-second run it is start-up noise.
    rss_slope_mb_per_min: run.profile === 'soak' ? run.resources?.rssSlopeMBPerMin ?? null : null,
  };
}
