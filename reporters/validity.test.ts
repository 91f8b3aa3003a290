import { describe, expect, it } from 'vitest';
import { invalidReasons, validityRulesFromEnv, type ValidityInput } from './validity.ts';

const clean: ValidityInput = {
  droppedIterations: 0,
  askedRate: 1000,
  achievedRate: 995,
  errorRate: 0,
  targetFailure: null,
  k6ExitCode: 0,
  haveSummary: true,
};

describe('invalidReasons', () => {
  it('accepts a clean run, and one whose thresholds failed (k6 exit 99)', () => {
    expect(invalidReasons(clean)).toEqual([]);
    expect(invalidReasons({ ...clean, k6ExitCode: 99 })).toEqual([]);
  });

  it('names each defect', () => {
    expect(invalidReasons({ ...clean, droppedIterations: 3 })[0]).toMatch(/3 dropped iterations/);
    expect(invalidReasons({ ...clean, achievedRate: 970 })[0]).toMatch(/3\.0% short of the 1000\.0\/s/);
    expect(invalidReasons({ ...clean, errorRate: 0.05 })[0]).toMatch(/errors 5\.00% over the 1\.00% budget/);
    expect(invalidReasons({ ...clean, targetFailure: 'exit code 1' })[0]).toBe('target died: exit code 1');
    expect(invalidReasons({ ...clean, k6ExitCode: 107 })[0]).toMatch(/k6 exited with code 107/);
    expect(invalidReasons({ ...clean, haveSummary: false })).toContain('k6 wrote no summary: nothing was measured');
  });

  it('allows exactly the tolerance and no more', () => {
    expect(invalidReasons({ ...clean, achievedRate: 980 })).toEqual([]);
    expect(invalidReasons({ ...clean, achievedRate: 979 })).toHaveLength(1);
  });

  it('reads rules from the environment and rejects nonsense', () => {
    expect(validityRulesFromEnv({ TIDEMARK_ERROR_BUDGET: '0.05' }).errorBudget).toBe(0.05);
    expect(() => validityRulesFromEnv({ TIDEMARK_RATE_TOLERANCE: 'x' })).toThrow(/TIDEMARK_RATE_TOLERANCE=x/);
  });
});
