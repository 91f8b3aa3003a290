/**
 * The highest publish rate a broker backend sustains validly on this machine, found by a bounded search: short
 * runs doubling the rate from the comparison's own until one fails, then halving the gap between the last that
 * passed and the first that failed. A rate passes when the run is valid (achieved what was asked, no errors),
 * nothing confirmed was lost and every k6 threshold held (the end-to-end p99 budget among them).
 */
import type { RunResult } from '../../reporters/run-result.ts';
import type { BrokerBackendName } from '../../targets/broker/backend-choice.ts';
import type { MaxRate, RateStep } from '../../reporters/backend-comparison.ts';

/** Why a run does not count as sustained; empty when it does. */
export function rateFailures(run: RunResult): string[] {
  const lost = run.metrics.broker_lost?.value ?? 0;
  return [
    ...run.invalidReasons,
    ...(lost > 0 ? [`${lost} confirmed message(s) lost`] : []),
    ...run.thresholds.filter((t) => !t.ok).map((t) => `threshold ${t.metric} ${t.expression} failed`),
  ];
}

/**
 * Searches in at most `maxSteps` runs. Deterministic in its choice of rates given the outcomes: doubling from
 * `startRate` while runs pass, then bisecting (rounded to whole messages per second) until the gap is under 10%.
 * @param run one short run of the scenario at `rate` on `backend`
 */
export async function searchMaxRate(
  backend: BrokerBackendName,
  startRate: number,
  maxSteps: number,
  run: (backend: BrokerBackendName, rate: number) => Promise<RunResult>,
): Promise<MaxRate> {
  const steps: RateStep[] = [];
  let good: RateStep | null = null;
  let bad: number | null = null;
  const probe = async (rate: number): Promise<boolean> => {
    const result = await run(backend, rate);
    const why = rateFailures(result);
    const step = { rate, pass: why.length === 0, deliveredPerS: result.load.achievedRate, why };
    steps.push(step);
    if (step.pass) good = step;
    else bad = bad === null ? rate : Math.min(bad, rate);
    return step.pass;
  };
  let rate = startRate;
  while (steps.length < maxSteps && (await probe(rate))) rate *= 2;
  while (steps.length < maxSteps && bad !== null) {
    const low: number = (good as RateStep | null)?.rate ?? 0;
    if (bad - low <= Math.max(1, 0.1 * bad)) break;
    await probe(Math.round((low + bad) / 2));
  }
  const best = good as RateStep | null;
  return { rate: best?.rate ?? null, deliveredPerS: best?.deliveredPerS ?? null, failedAt: bad, steps };
}
