import { describe, expect, it } from 'vitest';
import { deterministicVerdict, intervalVerdict } from './decision-rules.ts';

describe('intervalVerdict (test-based figures, margin 3%)', () => {
  const m = 0.03;
  it('regression: significant and the whole interval beyond +3% for a lower-is-better figure', () => {
    expect(intervalVerdict({ low: 1.05, high: 1.2 }, 'lower', m, true)).toBe('regression');
    expect(intervalVerdict({ low: 0.8, high: 0.95 }, 'higher', m, true)).toBe('regression');
  });

  it('improvement: the same on the good side', () => {
    expect(intervalVerdict({ low: 0.8, high: 0.95 }, 'lower', m, true)).toBe('improvement');
    expect(intervalVerdict({ low: 1.05, high: 1.2 }, 'higher', m, true)).toBe('improvement');
  });

  it('unchanged only when the whole interval lies inside ±3%, significant or not', () => {
    expect(intervalVerdict({ low: 0.98, high: 1.02 }, 'lower', m, false)).toBe('unchanged');
    expect(intervalVerdict({ low: 0.97, high: 1.03 }, 'lower', m, false)).toBe('unchanged');
    // A real but small change, inside the margin: not a change that matters.
    expect(intervalVerdict({ low: 1.005, high: 1.02 }, 'lower', m, true)).toBe('unchanged');
  });

  it('undecided when the interval straddles a margin bound, never unchanged', () => {
    expect(intervalVerdict({ low: 0.9, high: 1.1 }, 'lower', m, false)).toBe('undecided');
    expect(intervalVerdict({ low: 1.01, high: 1.2 }, 'lower', m, true)).toBe('undecided');
    expect(intervalVerdict({ low: 0.99, high: 1.031 }, 'lower', m, false)).toBe('undecided');
  });

  it('undecided when beyond the margin but not significant after Holm', () => {
    expect(intervalVerdict({ low: 1.05, high: 1.2 }, 'lower', m, false)).toBe('undecided');
  });
});

describe('deterministicVerdict (instructions per operation, margin 1%)', () => {
  const m = 0.01;
  it('regression when the median ratio is beyond +1% for lower-is-better', () => {
    const r = deterministicVerdict([1000, 1001, 999], [1020, 1021, 1019], 'lower', m);
    expect(r.verdict).toBe('regression');
    expect(r.change).toBeCloseTo(0.02, 12);
  });

  it('improvement symmetric, and the direction flips both', () => {
    expect(deterministicVerdict([1000], [980], 'lower', m).verdict).toBe('improvement');
    expect(deterministicVerdict([1000], [980], 'higher', m).verdict).toBe('regression');
    expect(deterministicVerdict([1000], [1020], 'higher', m).verdict).toBe('improvement');
  });

  it('unchanged within the margin on either side', () => {
    expect(deterministicVerdict([1000, 1002], [1005], 'lower', m).verdict).toBe('unchanged');
    expect(deterministicVerdict([1000], [1009], 'lower', m).verdict).toBe('unchanged');
    expect(deterministicVerdict([1000], [991], 'lower', m).verdict).toBe('unchanged');
  });

  it('uses medians: one outlying repeat does not move the verdict', () => {
    expect(deterministicVerdict([1000, 1000, 1000], [1000, 1001, 5000], 'lower', m).verdict).toBe('unchanged');
  });

  it('insufficient with no figures on a side (no p-value, no guess)', () => {
    expect(deterministicVerdict([], [1000], 'lower', m)).toEqual({ verdict: 'insufficient', change: null });
    expect(deterministicVerdict([1000], [], 'lower', m)).toEqual({ verdict: 'insufficient', change: null });
  });
});
