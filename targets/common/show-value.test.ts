import { describe, expect, it } from 'vitest';
import { showValue } from './show-value.ts';

const deep = (n: number): unknown => JSON.parse('['.repeat(n) + ']'.repeat(n));

describe('showValue, json style (default)', () => {
  it('shows short values as their JSON', () => {
    expect(showValue(5)).toBe('5');
    expect(showValue('a b')).toBe('"a b"');
    expect(showValue(null)).toBe('null');
    expect(showValue([1, 2])).toBe('[1,2]');
    expect(showValue({ a: 1 })).toBe('{"a":1}');
    expect(showValue(undefined)).toBe('undefined');
    expect(showValue(true)).toBe('true');
  });

  it('cuts long text to 60 characters ending in ...', () => {
    const long = 'x'.repeat(1_000_000);
    expect(showValue(long)).toBe(`"${'x'.repeat(56)}...`);
    expect(showValue(long)).toHaveLength(60);
    expect(showValue('x'.repeat(58))).toBe(`"${'x'.repeat(58)}"`); // exactly 60: not cut
    expect(showValue(Array(100).fill(1))).toBe(`[${'1,'.repeat(28)}...`);
    expect(showValue('x'.repeat(30), { maxChars: 10 })).toBe('"xxxxxx...');
  });

  it('never throws: a value too deep to stringify is named', () => {
    expect(showValue(deep(100_000))).toBe('[an array nested too deeply to show]');
    expect(showValue(10n)).toBe('[bigint]');
  });
});

describe('showValue, kind style', () => {
  it('names arrays and objects, quotes and cuts strings inside the quotes, shows numbers', () => {
    expect(showValue([1], { style: 'kind' })).toBe('an array');
    expect(showValue({ a: 1 }, { style: 'kind' })).toBe('an object');
    expect(showValue(deep(100_000), { style: 'kind' })).toBe('an array');
    expect(showValue('aapl', { style: 'kind' })).toBe('"aapl"');
    expect(showValue('A'.repeat(50), { style: 'kind' })).toBe(`"${'A'.repeat(40)}..."`);
    expect(showValue(Number.NaN, { style: 'kind' })).toBe('NaN');
    expect(showValue(-1, { style: 'kind' })).toBe('-1');
    expect(showValue(null, { style: 'kind' })).toBe('null');
    expect(showValue(true, { style: 'kind' })).toBe('boolean');
    expect(showValue(undefined, { style: 'kind' })).toBe('undefined');
  });
});
