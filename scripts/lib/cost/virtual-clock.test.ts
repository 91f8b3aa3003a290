import { describe, expect, it } from 'vitest';
import { createVirtualClock } from './virtual-clock.ts';

describe('virtual clock', () => {
  it('stands still until advanced; Date-style time moves with it', () => {
    const clock = createVirtualClock(100, 1_700_000_000_100);
    expect(clock.now()).toBe(100);
    clock.advance(2.5);
    expect(clock.now()).toBe(102.5);
    expect(clock.epochNow()).toBe(1_700_000_000_102.5);
  });

  it('runs due timers in due order, ties in creation order, each seeing its own due time', () => {
    const clock = createVirtualClock(0, 0);
    const seen: string[] = [];
    clock.setTimeout(() => seen.push(`b@${clock.now()}`), 5);
    clock.setTimeout(() => seen.push(`a@${clock.now()}`), 2);
    clock.setTimeout(() => seen.push(`c@${clock.now()}`), 5);
    clock.setTimeout(() => seen.push('late'), 50);
    expect(clock.advance(10)).toBe(3);
    expect(seen).toEqual(['a@2', 'b@5', 'c@5']);
    expect(clock.now()).toBe(10);
    expect(clock.pending()).toBe(1);
  });

  it('runs a timer armed by a callback in the same advance when it falls due within it', () => {
    const clock = createVirtualClock(0, 0);
    const seen: number[] = [];
    const tick = (): void => {
      seen.push(clock.now());
      if (seen.length < 5) clock.setTimeout(tick, 1);
    };
    clock.setTimeout(tick, 1);
    clock.advance(3);
    expect(seen).toEqual([1, 2, 3]);
    clock.advance(10);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it('repeats intervals, passes arguments, and clamps delays below 1 ms to 1 ms as Node does', () => {
    const clock = createVirtualClock(0, 0);
    const seen: unknown[] = [];
    const every = clock.setInterval((x: unknown) => seen.push(x), 4, 'i');
    clock.setTimeout(() => seen.push('zero'), 0);
    clock.advance(12);
    expect(seen).toEqual(['zero', 'i', 'i', 'i']);
    clock.clear(every);
    clock.advance(100);
    expect(seen).toHaveLength(4);
  });

  it('clears by handle or numeric id, refreshes, and ignores what is not a timer', () => {
    const clock = createVirtualClock(0, 0);
    let fired = 0;
    const a = clock.setTimeout(() => fired++, 5);
    const b = clock.setTimeout(() => fired++, 5);
    clock.clear(+b);
    clock.clear(undefined);
    clock.clear({});
    clock.advance(3);
    a.refresh(); // due 5 ms from now (8), not at 5
    clock.advance(4);
    expect(fired).toBe(0);
    clock.advance(1);
    expect(fired).toBe(1);
    expect(a.unref().hasRef()).toBe(false);
    expect(a.ref().hasRef()).toBe(true);
  });

  it('refuses to go backwards', () => {
    expect(() => createVirtualClock(0, 0).advance(-1)).toThrow(RangeError);
  });
});
