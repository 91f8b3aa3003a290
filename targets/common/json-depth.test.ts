import { describe, expect, it } from 'vitest';
import { nestedDeeperThan } from './json-depth.ts';

/** `[[[...]]]` with `n` levels, built by JSON.parse (no recursion). */
const deepArray = (n: number): unknown => JSON.parse('['.repeat(n) + ']'.repeat(n));
const deepObject = (n: number): unknown => JSON.parse(`${'{"a":'.repeat(n)}1${'}'.repeat(n)}`);

describe('nestedDeeperThan', () => {
  it('counts a lone array or object as 1 level, scalars as 0', () => {
    for (const scalar of [null, undefined, 1, 'x'.repeat(1000), true]) expect(nestedDeeperThan(scalar, 0)).toBe(false);
    expect(nestedDeeperThan([], 0)).toBe(true);
    expect(nestedDeeperThan({}, 0)).toBe(true);
    expect(nestedDeeperThan([], 1)).toBe(false);
    expect(nestedDeeperThan({ a: 1, b: 'x' }, 1)).toBe(false);
  });

  it('is exact at the bound, for arrays, objects and mixes', () => {
    expect(nestedDeeperThan(deepArray(32), 32)).toBe(false);
    expect(nestedDeeperThan(deepArray(33), 32)).toBe(true);
    expect(nestedDeeperThan(deepObject(32), 32)).toBe(false);
    expect(nestedDeeperThan(deepObject(33), 32)).toBe(true);
    expect(nestedDeeperThan({ a: [1, { b: [2] }] }, 4)).toBe(false);
    expect(nestedDeeperThan({ a: [1, { b: [[2]] }] }, 4)).toBe(true);
    // The deep branch is found also after shallow siblings.
    expect(nestedDeeperThan([1, 'x', {}, [], deepArray(10)], 5)).toBe(true);
  });

  it('answers on values 100000 levels deep without a stack overflow', () => {
    expect(nestedDeeperThan(deepArray(100_000), 128)).toBe(true);
    expect(nestedDeeperThan(deepObject(100_000), 128)).toBe(true);
  });
});
