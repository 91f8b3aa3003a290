/** Parsing of /proc/stat, /proc/loadavg and /proc/pressure/cpu on fixture text. */
import { describe, expect, it } from 'vitest';
import { parseCpuTimes, parseLoadAvg, parsePressureSomeUs } from './machine-load.ts';

describe('parseCpuTimes', () => {
  it('sums the first 8 columns, counts iowait as idle and reads steal (guest columns are inside user)', () => {
    const stat = 'cpu  30999 5 12868 52039 419 1 358 77 900 0\ncpu0 15000 2 6000 26000 200 0 100 40 0 0\nintr 1 2 3\n';
    expect(parseCpuTimes(stat)).toEqual({ total: 30999 + 5 + 12868 + 52039 + 419 + 1 + 358 + 77, idle: 52039 + 419, steal: 77 });
  });

  it('refuses a line without the steal column, and text without a cpu line', () => {
    expect(parseCpuTimes('cpu  1 2 3 4 5 6 7\n')).toBeNull();
    expect(parseCpuTimes('cpu0 1 2 3 4 5 6 7 8\n')).toBeNull();
    expect(parseCpuTimes('')).toBeNull();
  });
});

describe('parseLoadAvg', () => {
  it('reads the three averages', () => {
    expect(parseLoadAvg('0.88 1.04 0.60 1/94 14085\n')).toEqual([0.88, 1.04, 0.6]);
    expect(parseLoadAvg('garbage')).toBeNull();
  });
});

describe('parsePressureSomeUs', () => {
  it('reads the cumulative total of the some line, not of the full line', () => {
    const text = 'some avg10=4.15 avg60=9.10 avg300=14.26 total=103802500\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=7\n';
    expect(parsePressureSomeUs(text)).toBe(103_802_500);
    expect(parsePressureSomeUs('full avg10=0.00 avg60=0.00 avg300=0.00 total=7\n')).toBeNull();
  });
});
