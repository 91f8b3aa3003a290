import { describe, expect, it } from 'vitest';
import { DEFAULT_DISTURBANCE_BOUNDS, disturbanceBoundsFromEnv, disturbanceReasons } from './disturbance.ts';
import type { ProcessConditions, RunConditions } from './run-result.ts';

const proc = (runQueuePerCpu: number | null): ProcessConditions => ({ watchedS: 5, cpuMs: 500, runQueueMs: (runQueuePerCpu ?? 0) * 500, runQueuePerCpu, runQueueShare: 0, cpus: '0-1' });
const conditions = (target: number | null, k6: number | null, steal: number | null): RunConditions => ({
  windowS: 5,
  pinned: false,
  pinNote: null,
  target: proc(target),
  k6: proc(k6),
  machine: { stealShare: steal, busyShare: 0.5, cpuPressureShare: 0.1, loadAvgStart: null, loadAvgEnd: null },
});
const bounds = { targetRunQueuePerCpu: 0.25, k6RunQueuePerCpu: 0.5, stealShare: 0.02 };

describe('disturbanceReasons', () => {
  it('a run within every bound (or at a bound) is not disturbed', () => {
    expect(disturbanceReasons(conditions(0.1, 0.3, 0), bounds)).toEqual([]);
    expect(disturbanceReasons(conditions(0.25, 0.5, 0.02), bounds)).toEqual([]);
  });

  it('names each bound crossed with the figure and the bound', () => {
    expect(disturbanceReasons(conditions(0.4, 0.3, 0), bounds)).toEqual(['target waited for a CPU 40% of the time it ran (run queue; bound 25%)']);
    expect(disturbanceReasons(conditions(0.1, 1.2, 0), bounds)).toEqual(['k6 waited for a CPU 120% of the time it ran (run queue; bound 50%)']);
    expect(disturbanceReasons(conditions(0.1, 0.1, 0.05), bounds)).toEqual(["hypervisor stole 5.0% of the machine's CPU time (bound 2.0%)"]);
    expect(disturbanceReasons(conditions(0.4, 1.2, 0.05), bounds)).toHaveLength(3);
  });

  it('figures not read never disturb: no conditions, no target (--url), no steal column', () => {
    expect(disturbanceReasons(null, bounds)).toEqual([]);
    expect(disturbanceReasons({ ...conditions(9, 0.1, null), target: null }, bounds)).toEqual([]);
    expect(disturbanceReasons(conditions(null, null, null), bounds)).toEqual([]);
  });
});

describe('disturbanceBoundsFromEnv', () => {
  it('defaults, overrides, and names a bad value', () => {
    expect(disturbanceBoundsFromEnv({})).toEqual(DEFAULT_DISTURBANCE_BOUNDS);
    expect(disturbanceBoundsFromEnv({ TIDEMARK_DISTURBED_TARGET_WAIT: '2', TIDEMARK_DISTURBED_STEAL: '0.1' })).toEqual({
      ...DEFAULT_DISTURBANCE_BOUNDS,
      targetRunQueuePerCpu: 2,
      stealShare: 0.1,
    });
    expect(() => disturbanceBoundsFromEnv({ TIDEMARK_DISTURBED_STEAL: '5' })).toThrow('TIDEMARK_DISTURBED_STEAL=5: expected a number between 0 and 1');
    expect(() => disturbanceBoundsFromEnv({ TIDEMARK_DISTURBED_K6_WAIT: 'lots' })).toThrow('TIDEMARK_DISTURBED_K6_WAIT=lots');
  });
});
