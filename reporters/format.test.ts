import { describe, expect, it } from 'vitest';
import { fmtNumber, fmtPercent } from './format.ts';

describe('fmtNumber', () => {
  it('scales precision with size and appends the unit', () => {
    expect(fmtNumber(0.12345, 'ms')).toBe('0.123 ms');
    expect(fmtNumber(3.14159)).toBe('3.14');
    expect(fmtNumber(47.93)).toBe('47.9');
    expect(fmtNumber(1234.6)).toBe('1235');
    expect(fmtNumber(40)).toBe('40');
  });
  it('shows missing figures as -', () => {
    expect(fmtNumber(null)).toBe('-');
    expect(fmtNumber(Number.NaN, 'ms')).toBe('-');
    expect(fmtPercent(undefined)).toBe('-');
  });
});

describe('fmtPercent', () => {
  it('formats a share', () => {
    expect(fmtPercent(0.10666)).toBe('10.67 %');
  });
});
