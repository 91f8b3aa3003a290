import { describe, expect, it } from 'vitest';
import { buildRunResult, steadyWindow, targetResources, type RunFacts } from './build-run-result.ts';
import { k6Fixture, sampleRun } from './fixtures/sample-run.ts';
import type { ResourceSample, RunConditions } from './run-result.ts';
import { validateRunResult } from './validate.ts';

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

  it('the window starts the scenario\'s warm-up after the first sample that shows load', () => {
    // 10 s of load, 100 ops a second; the first three seconds cost 3 ms per op (warm-up), then 1 ms.
    const cpuAt = (i: number): number => 100 + (i <= 3 ? 300 * i : 900 + 100 * (i - 3));
    const long = Array.from({ length: 10 }, (_, k) => s(1000 * (k + 1), cpuAt(k + 1), 100 * (k + 1)));
    const end = s(10_500, cpuAt(10) + 50, 1050);
    // warmupS 2: from t=3 s (2 s after the first loaded sample at t=1 s): only 1 ms per op is left.
    expect(steadyWindow(long, before, end, 2)).toEqual({ cpuMs: 750, ops: 750 });
    expect(targetResources(long, before, end, true, 2)?.cpuMsPerOp).toBe(1);
    // warmupS 1 (the default) still holds one warm-up second.
    expect(steadyWindow(long, before, end)).toEqual({ cpuMs: 1050, ops: 850 });
    // A sample a little early (timer jitter) still counts as 1 s after.
    const early = [s(1000, 300, 100), s(1950, 400, 200), s(3000, 500, 300), s(4000, 600, 400)];
    expect(steadyWindow(early, before, s(4500, 650, 450), 1)).toEqual({ cpuMs: 250, ops: 250 });
    // 0: no warm-up, the whole run.
    expect(steadyWindow(long, before, end, 0)).toEqual({ cpuMs: cpuAt(10) + 50 - 100, ops: 1050 });
  });

  it('falls back to the whole run when the steady window would be too short', () => {
    expect(steadyWindow(samples.slice(0, 1), before, s(1500, 400, 150))).toEqual({ cpuMs: 300, ops: 150 });
  });

  it('the tick-based figure (for the A/A comparison) uses the same window, and is null without tick readings', () => {
    const withTicks = (x: ResourceSample, ticks: number): ResourceSample => ({ ...x, cpuTicksMs: ticks });
    const ticked = samples.map((x, i) => withTicks(x, [300, 400, 500, 600][i] ?? 0));
    // Window from t=2 s: ticks 650 - 400 over 250 ops.
    expect(targetResources(ticked, withTicks(before, 100), withTicks(after, 650), true)?.cpuMsPerOpTicks).toBe(1);
    expect(targetResources(samples, before, after, true)?.cpuMsPerOpTicks).toBeNull();
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

describe('buildRunResult', () => {
  const conditions = (targetWait: number): RunConditions => ({
    windowS: 6,
    pinned: true,
    pinNote: null,
    target: { watchedS: 6, cpuMs: 400, runQueueMs: 400 * targetWait, runQueuePerCpu: targetWait, runQueueShare: (400 * targetWait) / 6000, cpus: '1' },
    k6: { watchedS: 5, cpuMs: 1000, runQueueMs: 50, runQueuePerCpu: 0.05, runQueueShare: 0.01, cpus: '0' },
    machine: { stealShare: 0, busyShare: 0.5, cpuPressureShare: 0.05, loadAvgStart: [1, 1, 1], loadAvgEnd: [1, 1, 1] },
  });
  const base = sampleRun();
  const summary = k6Fixture();
  const facts = (over: Partial<RunFacts>): RunFacts => ({
    runId: 'r', scenario: 'sse/sustained', repeat: null, git: base.git, machine: base.machine, k6: { version: 'v1.8.1', exitCode: 0 },
    startedAt: new Date(0), finishedAt: new Date(6000), targetUrl: 'http://127.0.0.1:1', managedTarget: true,
    summary, samples: [], before: null, after: null, targetFailure: null, conditions: null, ...over,
  });

  it('keeps the conditions and marks a disturbed run with the reason, valid or not, through the schema', () => {
    const calm = validateRunResult(buildRunResult(facts({ conditions: conditions(0.05) })));
    expect(calm.disturbed).toEqual([]);
    expect(calm.conditions?.target?.cpus).toBe('1');
    const busy = validateRunResult(buildRunResult(facts({ conditions: conditions(3) })));
    expect(busy.disturbed).toEqual([expect.stringMatching(/^target waited for a CPU 300% of the time it ran/)]);
    expect(busy.invalidReasons).toEqual(calm.invalidReasons); // disturbance is not validity
  });

  it('takes the warm-up from the scenario\'s summary, 1 s when the summary predates warmupS', () => {
    // 6 s of load, 100 ops a second; cumulative CPU 300, 500, 600, 700, 800, 900 ms.
    const before = s(0, 0, 0);
    const cpu = [300, 500, 600, 700, 800, 900];
    const loaded = cpu.map((c, k) => s(1000 * (k + 1), c, 100 * (k + 1)));
    const after = s(6000, 900, 600);
    const withWarmup = (warmupS: number | undefined): unknown => ({ ...summary, tidemark: { ...summary.tidemark, scenario: 'sse/sustained', warmupS } });
    const perOp = (warmupS: number | undefined): number | null | undefined =>
      buildRunResult(facts({ summary: withWarmup(warmupS), samples: loaded, before, after })).resources?.cpuMsPerOp;
    expect(perOp(undefined)).toBe(400 / 400); // from t=2 s
    expect(perOp(2)).toBe(300 / 300); // from t=3 s
    expect(perOp(0)).toBe(900 / 600); // whole run
  });
});
