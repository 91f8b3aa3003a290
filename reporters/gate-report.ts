/** The gate's report types: per-metric and per-scenario verdicts, and the whole gate. */

/**
 * - `regression` / `improvement`: a change beyond the margin (test-based: significant after Holm and the whole
 *   interval beyond the margin; deterministic: the median ratio beyond it; limit: the median over the limit).
 * - `unchanged`: test-based: the whole interval inside ± margin; deterministic: the ratio within the margin;
 *   limit: the median within the limit.
 * - `undecided`: a test-based primary figure whose interval is neither beyond the margin nor inside ± margin.
 * - `insufficient`: too few runs or figures to decide.
 * - `advisory`: an advisory figure; reported, never decided.
 */
export type MetricVerdict = 'regression' | 'improvement' | 'unchanged' | 'undecided' | 'insufficient' | 'advisory';

export interface MetricComparison {
  scenario: string;
  metric: string;
  /** `primary` figures decide the gate; `advisory` ones are only reported (scripts/lib/gate/gated-metrics.ts). */
  role: 'primary' | 'advisory';
  /** `test`: a t-test across runs; `deterministic`: median ratio against the margin; `limit`: an absolute ceiling. */
  rule: 'test' | 'deterministic' | 'limit';
  direction: 'lower' | 'higher';
  margin: number;
  /** For figures gated by an absolute ceiling (the soak RSS slope): the limit; no test is made. */
  limit?: number;
  /** Medians of the reference (baseline or A) and current (B) runs. */
  baseline: number | null;
  current: number | null;
  /** Geometric-mean ratio - 1 (test), median ratio - 1 (deterministic), as a share (0.1 = +10%). */
  change: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  /** Confidence level of [ciLow, ciHigh] (0.95 in a fixed gate; wider at the looks of an adaptive paired gate). */
  ciLevel: number | null;
  p: number | null;
  /** Holm-adjusted across the primary test-based figures of the gate (of the look, in an adaptive paired gate). */
  pAdjusted: number | null;
  /**
   * Minimum detectable effect: the smallest true change in the bad direction (a share, signed: + for a figure
   * where lower is better) that this figure's decision rule flags with 90% power, for the variance measured and
   * the runs taken (scripts/lib/gate/power.ts); the margin for a deterministic figure; null without a test.
   */
  mde: number | null;
  /**
   * Why a figure with runs on both sides could not be tested, when it is not just too few runs: a value ≤ 0,
   * which a log-scale test cannot take (a negative latency is a broken measurement, not a fast one).
   */
  note?: string;
  /** `welch`, `pooled` or `paired`; null when there were too few runs to test, or no test is made. */
  method: 'welch' | 'pooled' | 'paired' | null;
  verdict: MetricVerdict;
}

export interface ScenarioComparison {
  scenario: string;
  /** `undecided`: no regression and nothing invalid, but some primary figure undecided or without enough runs. */
  verdict: 'pass' | 'undecided' | 'regression' | 'invalid';
  /** Current runs compared (pairs in a paired gate). */
  runs: number;
  /** In an adaptive paired gate: the look whose decisions these are, with its share of α and its interval level. */
  look?: { index: number; of: number; pairs: number; alpha: number; level: number };
  /** Why the scenario is invalid (one line per invalid run). */
  invalid: string[];
  /**
   * Valid runs disturbed beyond the bounds of reporters/disturbance.ts (one line per run, with the reasons): they
   * are counted, and shown so that a reader can weigh them. Absent in reports written before it existed.
   */
  disturbed?: string[];
  /** Failed absolute thresholds in current runs, `metric: expression`. */
  sloFailures: string[];
  metrics: MetricComparison[];
}

export interface GateReport {
  /** 2: roles, `mde`, `undecided`, adaptive paired mode (1 had none of these). */
  schema: 'tidemark.gate/2';
  runId: string;
  /** `baseline`: against committed baselines; `ab`: interleaved runs of a git ref (A) and the working tree (B). */
  mode: 'baseline' | 'ab';
  /** The git ref of A in `ab` mode. */
  against: string | null;
  startedAt: string;
  finishedAt: string;
  wallTimeS: number;
  git: { sha: string; branch: string; dirty: boolean };
  machineClass: string;
  /** Most runs (pairs in `ab` mode) any scenario took. */
  repeat: number;
  /** In an adaptive paired gate: its settings and why it stopped adding pairs; null otherwise. */
  adaptive: AdaptiveSummary | null;
  /** Family-wise error rate of the whole gate (split across the looks of an adaptive paired gate). */
  alpha: number;
  scenarios: ScenarioComparison[];
  /** Scenarios that could not run, with the error. */
  errors: Array<{ scenario: string; error: string }>;
  exitCode: number;
  /** `undecided` exits 0: nothing failed, but not every primary figure was decided (see docs/GATE.md). */
  verdict: 'pass' | 'undecided' | 'regression' | 'invalid';
}

export interface AdaptiveSummary {
  minPairs: number;
  maxPairs: number;
  budgetS: number;
  /** Pair counts at which the gate looked, with the α and interval level of each. */
  looks: Array<{ pairs: number; alpha: number; level: number }>;
  /** `decided`: every scenario decided; `max-pairs`: the last look was reached; `budget`: the next look would not fit. */
  stoppedBy: 'decided' | 'max-pairs' | 'budget';
}
