/**
 * The gate's decision rule. Per scenario and gated figure: a regression is a change that is significant
 * (log-scale t-test across runs, Holm-corrected across every gated figure of the gate) AND whose confidence
 * bound lies beyond the figure's practical margin. A failed k6 threshold (an absolute SLO) is a regression too.
 * Any invalid run makes the scenario invalid: never a pass.
 */
import type { RunResult } from '../../../reporters/run-result.ts';
import { gatedFigures, type Direction } from './gated-metrics.ts';
import { holm, logPaired, logTwoSample, type LogTest } from './stats.ts';
import type { MetricComparison, ScenarioComparison } from '../../../reporters/gate-report.ts';

export interface CompareInput {
  scenario: string;
  /** Gated figures: name -> direction, margin and, for absolute checks, a limit. */
  gated: Record<string, { direction: Direction; margin: number; limit?: number }>;
  /** Reference figures per run (baseline runs, or the A runs of an A/B gate). */
  reference: Array<Record<string, number | null>>;
  current: RunResult[];
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

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function numbers(values: Array<number | null | undefined>): number[] {
  return values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

/** Worse-direction check: the whole interval beyond the margin on the bad side. */
function beyondMargin(test: LogTest, direction: Direction, margin: number, bad: boolean): boolean {
  const worse = direction === 'lower' ? test.ciLow > 1 + margin : test.ciHigh < 1 - margin;
  const better = direction === 'lower' ? test.ciHigh < 1 - margin : test.ciLow > 1 + margin;
  return bad ? worse : better;
}

/** A figure gated by an absolute ceiling: the median of the current runs above the limit is a regression. */
function limitCheck(
  scenario: string,
  metric: string,
  spec: { direction: Direction; margin: number },
  ref: number[],
  cur: number[],
  limit: number,
): MetricComparison {
  const current = median(cur);
  const over = current !== null && (spec.direction === 'lower' ? current > limit : current < limit);
  return {
    scenario,
    metric,
    direction: spec.direction,
    margin: spec.margin,
    limit,
    baseline: median(ref),
    current,
    change: null,
    ciLow: null,
    ciHigh: null,
    p: null,
    pAdjusted: null,
    method: null,
    verdict: current === null ? 'insufficient' : over ? 'regression' : 'unchanged',
  };
}

/** Compares every scenario, then applies Holm across all gated figures together. */
export function compareAll(inputs: CompareInput[], opts: CompareOptions = DEFAULT_COMPARE_OPTIONS): ScenarioComparison[] {
  const tests: Array<{ cmp: MetricComparison; test: LogTest | null }> = [];
  const scenarios = inputs.map((input): ScenarioComparison => {
    const invalid = [...(input.referenceRuns ?? []), ...input.current]
      .filter((r) => !r.valid)
      .map((r) => `${r.scenario}${r.repeat === null ? '' : ` run ${r.repeat}`}: ${r.invalidReasons.join('; ')}`);
    const sloFailures = [
      ...new Set(input.current.flatMap((r) => r.thresholds.filter((t) => !t.ok).map((t) => `${t.metric}: ${t.expression}`))),
    ];
    const currentFigures = input.current.map(gatedFigures);
    const metrics = Object.entries(input.gated).map(([metric, spec]) => {
      const ref = input.reference.map((f) => f[metric] ?? null);
      const cur = currentFigures.map((f) => f[metric] ?? null);
      if (spec.limit !== undefined) return limitCheck(input.scenario, metric, spec, numbers(ref), numbers(cur), spec.limit);
      const test = input.paired
        ? ref.every((v) => v !== null) && cur.every((v) => v !== null)
          ? logPaired(ref as number[], cur as number[], opts.level)
          : null
        : logTwoSample(numbers(ref), numbers(cur), opts.level);
      const cmp: MetricComparison = {
        scenario: input.scenario,
        metric,
        direction: spec.direction,
        margin: spec.margin,
        baseline: median(numbers(ref)),
        current: median(numbers(cur)),
        change: test ? test.ratio - 1 : null,
        ciLow: test ? test.ciLow - 1 : null,
        ciHigh: test ? test.ciHigh - 1 : null,
        p: test?.p ?? null,
        pAdjusted: null,
        method: test?.method ?? null,
        verdict: 'insufficient',
      };
      tests.push({ cmp, test });
      return cmp;
    });
    return { scenario: input.scenario, verdict: 'pass', invalid, sloFailures, metrics };
  });

  const tested = tests.filter((t) => t.test !== null);
  const adjusted = holm(tested.map((t) => (t.test as LogTest).p));
  tested.forEach(({ cmp, test }, i) => {
    const t = test as LogTest;
    cmp.pAdjusted = adjusted[i] as number;
    const significant = cmp.pAdjusted < opts.alpha;
    if (significant && beyondMargin(t, cmp.direction, cmp.margin, true)) cmp.verdict = 'regression';
    else if (significant && beyondMargin(t, cmp.direction, cmp.margin, false)) cmp.verdict = 'improvement';
    else cmp.verdict = 'unchanged';
  });

  for (const s of scenarios) {
    if (s.invalid.length > 0) s.verdict = 'invalid';
    else if (s.sloFailures.length > 0 || s.metrics.some((m) => m.verdict === 'regression')) s.verdict = 'regression';
  }
  return scenarios;
}

/** Gate exit code: 2 when any scenario is invalid, else 1 on any regression, else 0. */
export function gateExitCode(results: ScenarioComparison[]): number {
  if (results.some((r) => r.verdict === 'invalid')) return 2;
  if (results.some((r) => r.verdict === 'regression')) return 1;
  return 0;
}
