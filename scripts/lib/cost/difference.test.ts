import { describe, expect, it } from 'vitest';
import { instructionsPerOp, summarizeRuns } from './difference.ts';

describe('instructions per operation from two workload sizes', () => {
  it('is the difference of instructions over the difference of operations: the fixed costs cancel', () => {
    // 1.5 G of start-up, warm-up and shutdown in both; 30 k per operation.
    const fixed = 1_500_000_000;
    expect(instructionsPerOp({ instructions: fixed + 2000 * 30_000, ops: 2000 }, { instructions: fixed + 6000 * 30_000, ops: 6000 })).toBe(30_000);
  });

  it('refuses a large run that did not do more work', () => {
    expect(() => instructionsPerOp({ instructions: 10, ops: 5 }, { instructions: 20, ops: 5 })).toThrow(/expected more in the large one/);
    expect(() => instructionsPerOp({ instructions: 20, ops: 5 }, { instructions: 10, ops: 9 })).toThrow(/cut short/);
  });

  it('summarises repeats as median and (max - min) / median', () => {
    expect(summarizeRuns([100, 101, 99])).toEqual({ median: 100, spread: 0.02 });
    expect(summarizeRuns([5])).toEqual({ median: 5, spread: 0 });
    expect(() => summarizeRuns([])).toThrow(/no runs/);
  });
});
