/**
 * The gate's decisions. Per scenario and figure, by the figure's rule (figure-comparison.ts, decision-rules.ts):
 * a primary test-based figure is a regression when its change is significant (log-scale t-test across runs,
 * Holm-corrected across the primary test-based figures of the gate) AND its whole interval lies beyond the
 * figure's practical margin; unchanged when the interval lies inside ± margin; else undecided. A deterministic
 * figure compares the median ratio with its margin; a limit figure its median with the limit. Advisory figures
 * are reported, never decided. A failed k6 threshold (an absolute SLO) is a regression too. Any invalid run
 * makes the scenario invalid: never a pass. Every line carries its minimum detectable effect (power.ts).
 */
import type { RunResult } from '../../../reporters/run-result.ts';
import type { MetricComparison, ScenarioComparison } from '../../../reporters/gate-report.ts';
import { intervalVerdict } from './decision-rules.ts';
import { deterministicComparison, limitComparison, numbers, testComparison, type FigureValues } from './figure-comparison.ts';
import { figureRole, gatedFigures, type FigureSpec } from './gated-metrics.ts';
import { minimumDetectableEffect } from './power.ts';
import { holm, type LogTest } from './stats.ts';

export interface CompareInput {
  scenario: string;
  /**
   * The figures to compare: name -> direction, margin and, for other rules, a limit or `rule: 'deterministic'`.
   * A baseline's `gated` list says which figures it has figures for; roles come from DEFAULT_GATED.
   */
  gated: Record<string, FigureSpec>;
  /** Reference figures per run (baseline runs, the A runs of an A/B gate, or a cost probe's repeats). */
  reference: Array<Record<string, number | null>>;
  current: RunResult[];
  /**
   * Figures per current run, for entries without run results (the cost probe's `<target>/cost`).
   * Default: `gatedFigures` of each of `current`.
   */
  currentFigures?: Array<Record<string, number | null>>;
  /** Reference runs of an A/B gate, to check their validity too (default none). */
  referenceRuns?: RunResult[];
  /** Pair reference[i] with current[i] (interleaved A/B runs). Default false. */
  paired?: boolean;
}

export interface CompareOptions {
  /** Family-wise error rate for the Holm procedure (default 0.01). */
  alpha: number;
  /** Confidence level of the intervals (default 0.95). */
  level: number;
}

export const DEFAULT_COMPARE_OPTIONS: CompareOptions = { alpha: 0.01, level: 0.95 };

/** The figures of one input as report lines, and the tests of its primary test-based figures (for Holm). */
function compareScenario(input: CompareInput, level: number): { metrics: MetricComparison[]; tests: Array<{ cmp: MetricComparison; test: LogTest | null }> } {
  const currentFigures = input.currentFigures ?? input.current.map(gatedFigures);
  const tests: Array<{ cmp: MetricComparison; test: LogTest | null }> = [];
  const metrics: MetricComparison[] = [];
  for (const [metric, spec] of Object.entries(input.gated)) {
    const f: FigureValues = {
      scenario: input.scenario,
      metric,
      spec,
      role: figureRole(metric, input.paired === true),
      reference: input.reference.map((r) => r[metric] ?? null),
      current: currentFigures.map((r) => r[metric] ?? null),
      paired: input.paired === true,
    };
    // A paired gate compares on every figure the gate knows: one that no run of either side has (memory per
    // connection where there are no connections, a percentile without enough samples) is not this scenario's.
    if (f.paired && spec.limit === undefined && numbers(f.reference).length + numbers(f.current).length === 0) continue;
    if (spec.limit !== undefined) metrics.push(limitComparison(f, spec.limit));
    else if (spec.rule === 'deterministic') metrics.push(deterministicComparison(f));
    else {
      const line = testComparison(f, level);
      metrics.push(line.cmp);
      tests.push(line);
    }
  }
  return { metrics, tests };
}

function scenarioVerdict(s: Omit<ScenarioComparison, 'verdict'>): ScenarioComparison['verdict'] {
  const primary = s.metrics.filter((m) => m.role === 'primary');
  if (s.invalid.length > 0) return 'invalid';
  if (s.sloFailures.length > 0 || primary.some((m) => m.verdict === 'regression')) return 'regression';
  if (primary.some((m) => m.verdict === 'undecided' || m.verdict === 'insufficient')) return 'undecided';
  return 'pass';
}

/** Compares every scenario, then applies Holm across the primary test-based figures of all of them together. */
export function compareAll(inputs: CompareInput[], opts: CompareOptions = DEFAULT_COMPARE_OPTIONS): ScenarioComparison[] {
  const compared = inputs.map((input) => ({ input, ...compareScenario(input, opts.level) }));
  const all = compared.flatMap((c) => c.tests).filter((t): t is { cmp: MetricComparison; test: LogTest } => t.test !== null);
  const family = all.filter((t) => t.cmp.role === 'primary');
  const adjusted = holm(family.map((t) => t.test.p));
  family.forEach(({ cmp, test }, i) => {
    cmp.pAdjusted = adjusted[i] as number;
    cmp.verdict = intervalVerdict({ low: test.ciLow, high: test.ciHigh }, cmp.direction, cmp.margin, cmp.pAdjusted < opts.alpha);
  });
  // The MDE's significance level is α/k, k the size of the Holm family: the level Holm applies to the smallest
  // p-value, i.e. to a figure that regresses while the rest of the gate is unchanged (the case a gate is for).
  // With several real changes Holm's later steps are laxer, so this MDE is conservative then. Advisory lines get
  // the same level, so that their MDE reads as "what it would take were this figure gated".
  const alphaPerTest = opts.alpha / Math.max(1, family.length);
  for (const { cmp, test } of all) cmp.mde = minimumDetectableEffect(test, cmp, alphaPerTest, opts.level);

  return compared.map(({ input, metrics }) => {
    const invalid = [...(input.referenceRuns ?? []), ...input.current]
      .filter((r) => !r.valid)
      .map((r) => `${r.scenario}${r.repeat === null ? '' : ` run ${r.repeat}`}: ${r.invalidReasons.join('; ')}`);
    const sloFailures = [
      ...new Set(input.current.flatMap((r) => r.thresholds.filter((t) => !t.ok).map((t) => `${t.metric}: ${t.expression}`))),
    ];
    // Disturbed runs stay in (they are valid), but never silently: the report lists them with their reasons.
    const sided = (runs: RunResult[], side: string): Array<{ r: RunResult; side: string }> => runs.map((r) => ({ r, side }));
    const disturbed = [...sided(input.referenceRuns ?? [], input.paired ? ' A' : ' reference'), ...sided(input.current, input.paired ? ' B' : '')]
      .filter(({ r }) => (r.disturbed ?? []).length > 0)
      .map(({ r, side }) => `${r.scenario}${side}${r.repeat === null ? '' : ` run ${r.repeat}`}: ${r.disturbed.join('; ')}`);
    const runs = (input.currentFigures ?? input.current).length;
    const partial = { scenario: input.scenario, runs, invalid, disturbed, sloFailures, metrics };
    return { ...partial, verdict: scenarioVerdict(partial) };
  });
}

/** Gate exit code: 2 when any scenario is invalid, else 1 on any regression, else 0 (`undecided` included). */
export function gateExitCode(results: ScenarioComparison[]): number {
  if (results.some((r) => r.verdict === 'invalid')) return 2;
  if (results.some((r) => r.verdict === 'regression')) return 1;
  return 0;
}

/** The gate's verdict word for its exit code: `undecided` (exit 0) when some scenario could not be decided. */
export function gateVerdict(results: ScenarioComparison[], exitCode: number): 'pass' | 'undecided' | 'regression' | 'invalid' {
  if (exitCode === 2) return 'invalid';
  if (exitCode === 1) return 'regression';
  return results.some((r) => r.verdict === 'undecided') ? 'undecided' : 'pass';
}
