import { describe, expect, it } from 'vitest';
import { readIntOptions } from './env-options.ts';

describe('readIntOptions', () => {
  const defaults = { a: 5, b: 10 };
  const specs = { a: { name: 'T_A', min: 1, max: 9 }, b: { name: 'T_B', min: 0, max: 100 } };

  it('keeps defaults for unset or empty variables and reads set ones', () => {
    expect(readIntOptions(defaults, specs, {})).toEqual({ a: 5, b: 10 });
    expect(readIntOptions(defaults, specs, { T_A: '', T_B: '42' })).toEqual({ a: 5, b: 42 });
  });

  it.each(['0', '10', '1.5', 'x', '1e3'])('refuses T_A=%s naming the variable, range and default', (raw) => {
    expect(() => readIntOptions(defaults, specs, { T_A: raw })).toThrow(`T_A="${raw}" is invalid: expected an integer from 1 to 9 (default 5).`);
  });
});
