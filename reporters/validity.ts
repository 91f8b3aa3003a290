/** Decides whether a run measured what it was asked to measure; an invalid run never passes a gate. */

export interface ValidityInput {
  droppedIterations: number;
  askedRate: number | null;
  achievedRate: number | null;
  errorRate: number | null;
  /** Why the target stopped being usable during the run, or null when it stayed up. */
  targetFailure: string | null;
  /** k6's exit code: 0 ok, 99 thresholds failed (still a valid measurement), anything else a failed run. */
  k6ExitCode: number;
  /** False when k6 wrote no summary. */
  haveSummary: boolean;
}

export interface ValidityRules {
  /** Shortfall of achieved against asked rate that still counts as on target (default 0.02). */
  rateTolerance: number;
  /** Largest error share a valid run may have (default 0.01). */
  errorBudget: number;
}

export const DEFAULT_VALIDITY_RULES: ValidityRules = { rateTolerance: 0.02, errorBudget: 0.01 };

/** k6 exit codes that still mean "the test ran to the end": 0 and 99 (thresholds crossed). */
const K6_COMPLETED = new Set([0, 99]);

/** Every reason the run is invalid; empty when valid. */
export function invalidReasons(input: ValidityInput, rules: ValidityRules = DEFAULT_VALIDITY_RULES): string[] {
  const reasons: string[] = [];
  if (input.targetFailure !== null) reasons.push(`target died: ${input.targetFailure}`);
  if (!K6_COMPLETED.has(input.k6ExitCode)) reasons.push(`k6 exited with code ${input.k6ExitCode} (see the k6 log beside the result)`);
  if (!input.haveSummary) {
    reasons.push('k6 wrote no summary: nothing was measured');
    return reasons;
  }
  if (input.droppedIterations > 0) {
    reasons.push(`${input.droppedIterations} dropped iterations: k6 could not start the load asked for on time`);
  }
  if (input.askedRate !== null && input.achievedRate !== null && input.askedRate > 0) {
    const shortfall = 1 - input.achievedRate / input.askedRate;
    if (shortfall > rules.rateTolerance + 1e-9) {
      reasons.push(
        `achieved rate ${input.achievedRate.toFixed(1)}/s is ${(shortfall * 100).toFixed(1)}% short of the ${input.askedRate.toFixed(1)}/s asked (tolerance ${(rules.rateTolerance * 100).toFixed(0)}%)`,
      );
    }
  }
  if (input.errorRate !== null && input.errorRate > rules.errorBudget) {
    reasons.push(`errors ${(input.errorRate * 100).toFixed(2)}% over the ${(rules.errorBudget * 100).toFixed(2)}% budget`);
  }
  return reasons;
}

/** Reads the rules from the environment (`TIDEMARK_RATE_TOLERANCE`, `TIDEMARK_ERROR_BUDGET`). */
export function validityRulesFromEnv(env: NodeJS.ProcessEnv = process.env): ValidityRules {
  const read = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0 || value > 1) throw new Error(`${name}=${raw}: expected a share between 0 and 1`);
    return value;
  };
  return {
    rateTolerance: read('TIDEMARK_RATE_TOLERANCE', DEFAULT_VALIDITY_RULES.rateTolerance),
    errorBudget: read('TIDEMARK_ERROR_BUDGET', DEFAULT_VALIDITY_RULES.errorBudget),
  };
}
