import { describe, expect, it } from 'vitest';
import { steadyWindow, targetResources } from './build-run-result.ts';
import type { ResourceSample } from './run-result.ts';

const s = (t: number, cpuMs: number, ops: number | null, rssKB = 50_000, connections: number | null = 10): ResourceSample => ({ t, cpuMs, rssKB, connections, ops });

describe('target resources', () => {
  const before = s(0, 100, 0, 40_000, 0);
  // Load starts at t=1 s; the first loaded second costs 2 ms per op (JIT), then 1 ms per op.
  const samples = [s(1000, 300, 100), s(2000, 400, 200), s(3000, 500, 300), s(4000, 600, 400)];
  const after = s(4500, 650, 450);

  it('CPU per op leaves out the first loaded second', () => {
    expect(steadyWindow(samples, before, after)).toEqual({ cpuMs: 250, ops: 250 });
    expect(targetResources(samples, before, after, true)?.cpuMsPerOp).toBe(1);
  });

  it('falls back to the whole run when the steady window would be too short', () => {
    expect(steadyWindow(samples.slice(0, 1), before, s(1500, 400, 150))).toEqual({ cpuMs: 300, ops: 150 });
  });

  it('RSS per connection is growth over the pre-load RSS per peak connection', () => {
    const r = targetResources(samples, before, after, true);
    expect(r?.rssPerConnectionKB).toBe(1000);
    expect(r?.connectionsPeak).toBe(10);
    expect(targetResources(samples, before, after, false)?.rssPerConnectionKB).toBeNull();
  });

  it('RSS slope leaves out the first 2 minutes (start-up growth), is in MB per minute, and needs a 5-minute run', () => {
    // One sample every 10 s for 6 minutes: a 30 MB climb in the first 2 minutes, then 1 MB per minute.
    const at = (i: number, rssMB: number): ResourceSample => s(10_000 * i, 100 + i, i, rssMB * 1024);
    const climb = Array.from({ length: 37 }, (_, i) => at(i, i <= 12 ? 50 + (30 * i) / 12 : 80 + (i - 12) / 6));
    expect(targetResources(climb, before, after, true)?.rssSlopeMBPerMin).toBeCloseTo(1, 6);
    const flat = climb.map((x, i) => (i <= 12 ? x : at(i, 80)));
    expect(targetResources(flat, before, after, true)?.rssSlopeMBPerMin).toBeCloseTo(0, 6);
    // 4 minutes: 2 skipped, 2 left, under the 3 needed.
    expect(targetResources(climb.slice(0, 25), before, after, true)?.rssSlopeMBPerMin).toBeNull();
  });
});
