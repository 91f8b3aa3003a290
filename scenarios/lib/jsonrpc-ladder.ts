/** Concurrency steps of the ladder profile: one constant-VUs k6 scenario per step, run one after another. */
import type { Options } from 'k6/options';

/** Parses `1,10,50`: whole numbers >= 1, strictly increasing; throws naming the bad entry. */
export function parseSteps(text: string): number[] {
  const steps = text.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  steps.forEach((n, i) => {
    if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new Error(`JSONRPC_LADDER_STEPS="${text}": "${n}" is not a VU count from 1 to 10000`);
    if (i > 0 && n <= steps[i - 1]!) throw new Error(`JSONRPC_LADDER_STEPS="${text}": steps must increase`);
  });
  if (steps.length === 0) throw new Error('JSONRPC_LADDER_STEPS is empty: give VU counts such as 1,10,50');
  return steps;
}

/**
 * One `constant-vus` scenario per step, back to back; each tags its samples `step=<VUs>`.
 * Iterations still running at a step's end get 1 s to finish, and the next step starts after that
 * second, so steps never overlap and each step's rate is its calls over `stepS`.
 */
export function ladderScenarios(steps: number[], stepS: number): NonNullable<Options['scenarios']> {
  const scenarios: NonNullable<Options['scenarios']> = {};
  steps.forEach((vus, i) => {
    scenarios[`step_${vus}`] = {
      executor: 'constant-vus',
      vus,
      duration: `${stepS}s`,
      startTime: `${i * (stepS + 1)}s`,
      gracefulStop: '1s',
      tags: { step: String(vus) },
    };
  });
  return scenarios;
}
