import { describe, expect, it } from 'vitest';
import { fixedLook, lookSchedule } from './looks.ts';

describe('lookSchedule', () => {
  it('looks every min-pairs pairs up to max-pairs, α split 1:2:3:4 (defaults 3 and 12)', () => {
    const looks = lookSchedule(3, 12, 0.01, 0.95);
    expect(looks.map((l) => l.pairs)).toEqual([3, 6, 9, 12]);
    [0.001, 0.002, 0.003, 0.004].forEach((a, i) => expect(looks[i]?.alpha).toBeCloseTo(a, 12));
    [0.995, 0.99, 0.985, 0.98].forEach((l, i) => expect(looks[i]?.level).toBeCloseTo(l, 12));
  });

  it('spends exactly α and the intervals miss rate over all looks (Bonferroni)', () => {
    for (const [min, max] of [[3, 12], [2, 9], [4, 4], [5, 12]] as const) {
      const looks = lookSchedule(min, max, 0.01, 0.95);
      expect(looks.reduce((s, l) => s + l.alpha, 0)).toBeCloseTo(0.01, 12);
      expect(looks.reduce((s, l) => s + (1 - l.level), 0)).toBeCloseTo(0.05, 12);
      expect(looks.at(-1)?.pairs).toBe(max);
    }
  });

  it('ends on max-pairs when it is not a multiple, and refuses impossible settings', () => {
    expect(lookSchedule(3, 10, 0.01, 0.95).map((l) => l.pairs)).toEqual([3, 6, 9, 10]);
    expect(() => lookSchedule(1, 12, 0.01, 0.95)).toThrow(/--min-pairs 1/);
    expect(() => lookSchedule(5, 4, 0.01, 0.95)).toThrow(/--max-pairs 4/);
  });

  it('a fixed number of pairs is one look with the whole α', () => {
    expect(fixedLook(5, 0.01, 0.95)).toEqual([{ pairs: 5, alpha: 0.01, level: 0.95 }]);
  });
});
