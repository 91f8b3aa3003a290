/** The gate's report types: per-metric and per-scenario verdicts, and the whole gate. */

export type MetricVerdict = 'regression' | 'improvement' | 'unchanged' | 'insufficient';

export interface MetricComparison {
  scenario: string;
  metric: string;
  direction: 'lower' | 'higher';
  margin: number;
  /** For figures gated by an absolute ceiling (the soak RSS slope): the limit; no test is made. */
  limit?: number;
  /** Medians of the reference (baseline or A) and current (B) runs. */
  baseline: number | null;
  current: number | null;
  /** Geometric-mean ratio - 1, as a share (0.1 = +10%). */
  change: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  p: number | null;
  /** Holm-adjusted across every gated figure of the gate. */
  pAdjusted: number | null;
  /** `welch`, `pooled` or `paired`; null when there were too few runs to test. */
  method: 'welch' | 'pooled' | 'paired' | null;
  verdict: MetricVerdict;
}

export interface ScenarioComparison {
  scenario: string;
  verdict: 'pass' | 'regression' | 'invalid';
  /** Why the scenario is invalid (one line per invalid run). */
  invalid: string[];
  /** Failed absolute thresholds in current runs, `metric: expression`. */
  sloFailures: string[];
  metrics: MetricComparison[];
}

export interface GateReport {
  schema: 'tidemark.gate/1';
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
  repeat: number;
  alpha: number;
  scenarios: ScenarioComparison[];
  /** Scenarios that could not run, with the error. */
  errors: Array<{ scenario: string; error: string }>;
  exitCode: number;
  verdict: 'pass' | 'regression' | 'invalid';
}
