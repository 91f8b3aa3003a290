import { describe, expect, it } from 'vitest';
import { EventRing } from './ring.ts';

const held = (r: EventRing): number[] => {
  const ids: number[] = [];
  r.forEachFrom(0, (seq) => ids.push(seq));
  return ids;
};

describe('EventRing', () => {
  it('keeps the newest events up to its capacity', () => {
    const r = new EventRing(3, 1e9, 1);
    for (let i = 1; i <= 7; i++) r.push(i, `e${i}`);
    expect(held(r)).toEqual([5, 6, 7]);
    expect([r.first, r.last, r.size]).toEqual([5, 7, 3]);
    const frames: string[] = [];
    r.forEachFrom(6, (_s, f) => frames.push(String(f)));
    expect(frames).toEqual(['e6', 'e7']);
    expect(r.heldBytes).toBe(6);
  });

  it('honours the byte bound but always keeps the newest event', () => {
    const r = new EventRing(100, 10, 1);
    for (let i = 1; i <= 5; i++) r.push(i, 'xxxx');
    expect(held(r)).toEqual([4, 5]);
    r.push(6, 'y'.repeat(50));
    expect(held(r)).toEqual([6]);
  });

  it('shares a byte budget between rings: the pushing ring evicts its own oldest', () => {
    const budget = { used: 0, max: 12 };
    const a = new EventRing(100, 100, 1, budget);
    const b = new EventRing(100, 100, 1, budget);
    for (let i = 1; i <= 2; i++) a.push(i, 'aaaa');
    b.push(1, 'bbbb');
    expect(budget.used).toBe(12);
    b.push(2, 'bbbb');
    expect(held(a)).toEqual([1, 2]);
    expect(held(b)).toEqual([2]);
    expect(budget.used).toBe(12);
    a.clear();
    expect(budget.used).toBe(4);
  });

  it('starts at any id and tracks ids with capacity 0', () => {
    const r = new EventRing(0, 100, 41);
    expect([r.first, r.last]).toEqual([41, 40]);
    r.push(41, 'a');
    expect(held(r)).toEqual([]);
    expect([r.first, r.last]).toEqual([42, 41]);
  });

  it('refuses out-of-order ids and frees everything on clear', () => {
    const r = new EventRing(3, 100, 1);
    r.push(1, 'a');
    expect(() => r.push(3, 'c')).toThrow('expected id 2');
    r.clear();
    expect(r.size).toBe(0);
    expect(r.heldBytes).toBe(0);
  });
});
