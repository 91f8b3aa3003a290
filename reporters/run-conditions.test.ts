import { describe, expect, it } from 'vitest';
import { combinedConditions, machineConditions, processConditions, runConditions, type MachineReading } from './run-conditions.ts';

describe('processConditions', () => {
  it('takes CPU and run-queue wait between two readings, per CPU ms and per wall ms', () => {
    const c = processConditions({ first: { t: 1000, cpuMs: 100, waitMs: 10 }, last: { t: 6000, cpuMs: 600, waitMs: 110 }, cpus: '1' });
    expect(c).toEqual({ watchedS: 5, cpuMs: 500, runQueueMs: 100, runQueuePerCpu: 0.2, runQueueShare: 0.02, cpus: '1' });
  });

  it('gives no per-CPU figure for a process that did not run', () => {
    const c = processConditions({ first: { t: 0, cpuMs: 5, waitMs: 1 }, last: { t: 0, cpuMs: 5, waitMs: 1 }, cpus: null });
    expect(c.runQueuePerCpu).toBeNull();
    expect(c.runQueueShare).toBe(0);
  });

  it('adds several processes up (k6 segments), watched time the longest', () => {
    const a = { first: { t: 0, cpuMs: 0, waitMs: 0 }, last: { t: 4000, cpuMs: 400, waitMs: 40 }, cpus: '0' };
    const b = { first: { t: 0, cpuMs: 0, waitMs: 0 }, last: { t: 5000, cpuMs: 600, waitMs: 260 }, cpus: '0' };
    expect(combinedConditions([a, b])).toEqual({ watchedS: 5, cpuMs: 1000, runQueueMs: 300, runQueuePerCpu: 0.3, runQueueShare: 0.06, cpus: '0' });
    expect(combinedConditions([])).toBeNull();
  });
});

describe('machineConditions', () => {
  const start: MachineReading = { t: 0, cpu: { total: 1000, idle: 600, steal: 10 }, loadAvg: [1, 0.5, 0.25], cpuPressureUs: 1_000_000 };
  const end: MachineReading = { t: 10_000, cpu: { total: 3000, idle: 1100, steal: 50 }, loadAvg: [2, 0.75, 0.3], cpuPressureUs: 3_000_000 };

  it('steal and busy are shares of all CPU ticks; pressure a share of wall time', () => {
    const m = machineConditions(start, end);
    expect(m.stealShare).toBeCloseTo(40 / 2000, 12);
    expect(m.busyShare).toBeCloseTo(1 - 500 / 2000, 12);
    expect(m.cpuPressureShare).toBeCloseTo(2_000_000 / 10_000_000, 12);
    expect(m.loadAvgStart).toEqual([1, 0.5, 0.25]);
    expect(m.loadAvgEnd).toEqual([2, 0.75, 0.3]);
  });

  it('gives null where a reading is missing (no PSI, no /proc/stat)', () => {
    const m = machineConditions({ ...start, cpu: null, cpuPressureUs: null, loadAvg: null }, end);
    expect(m).toEqual({ stealShare: null, busyShare: null, cpuPressureShare: null, loadAvgStart: null, loadAvgEnd: [2, 0.75, 0.3] });
  });
});

describe('runConditions', () => {
  it('puts the window, pinning, both processes and the machine together', () => {
    const reading = (t: number): MachineReading => ({ t, cpu: null, loadAvg: null, cpuPressureUs: null });
    const c = runConditions({ start: reading(0), end: reading(6500), target: null, k6: [], pinned: false, pinNote: 'pinning asked for but not applied: x' });
    expect(c).toMatchObject({ windowS: 6.5, pinned: false, pinNote: 'pinning asked for but not applied: x', target: null, k6: null });
  });
});
