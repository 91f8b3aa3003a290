import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baselineFromRuns, readBaseline, writeBaseline } from './baseline-file.ts';
import { fakeRun } from './fake-run.ts';

let dir: string;
const saved = process.env.TIDEMARK_BASELINE_DIR;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tidemark-baselines-'));
  process.env.TIDEMARK_BASELINE_DIR = dir;
});
afterAll(async () => {
  if (saved === undefined) delete process.env.TIDEMARK_BASELINE_DIR;
  else process.env.TIDEMARK_BASELINE_DIR = saved;
  await rm(dir, { recursive: true, force: true });
});

describe('baselines', () => {
  it('round-trip: every run kept, only figures all runs have are gated', async () => {
    const runs = [fakeRun({ p95: 2 }), fakeRun({ p95: 2.1 }), fakeRun({ p95: 1.9 })];
    const file = await writeBaseline(baselineFromRuns(runs, '10s'));
    expect(file).toBe(join(dir, 'sse-sustained.json'));
    const back = await readBaseline('sse/sustained');
    expect(back.runs.map((r) => r.figures.latency_p95)).toEqual([2, 2.1, 1.9]);
    expect(Object.keys(back.gated)).toContain('cpu_ms_per_op');
    expect(Object.keys(back.gated)).not.toContain('rss_slope_mb_per_min');
    expect(back.duration).toBe('10s');
  });

  it("keeps each run's load average and disturbance, so a baseline says how quiet the machine was", () => {
    const quiet = fakeRun({ p95: 2 });
    const machine = { ...quiet.conditions!.machine, loadAvgStart: [1.25, 1, 1] as [number, number, number] };
    const busy = fakeRun({ p95: 2 }, { conditions: { ...quiet.conditions!, machine }, disturbed: ['target waited 80% of its CPU time'] });
    const unread = fakeRun({ p95: 2 }, { conditions: null });
    const runs = baselineFromRuns([busy, unread], null).runs;
    expect(runs.map((r) => r.loadAverage)).toEqual([1.25, null]);
    expect(runs[0]?.disturbed).toEqual(['target waited 80% of its CPU time']);
    expect(runs[1]?.disturbed).toEqual([]);
  });

  it('refuses invalid runs, naming the reason', () => {
    expect(() => baselineFromRuns([fakeRun({ p95: 2 }, { valid: false, invalidReasons: ['target died: x'] })], null)).toThrow(/invalid runs: sse\/sustained: target died: x/);
  });

  it('a missing baseline names the file and the command that creates it', async () => {
    await expect(readBaseline('sse/burst')).rejects.toThrow(/sse-burst\.json is missing; create it with `npm run baseline -- --only 'sse\/burst'`/);
  });

  it('malformed JSON and a wrong field are named', async () => {
    await writeFile(join(dir, 'sse-churn.json'), '{ not json');
    await expect(readBaseline('sse/churn')).rejects.toThrow(/sse-churn\.json is not valid JSON/);
    await writeFile(join(dir, 'sse-churn.json'), JSON.stringify({ ...baselineFromRuns([fakeRun({ p95: 2 })], null), scenario: 'sse/churn', schema: 'tidemark.baseline/0' }));
    await expect(readBaseline('sse/churn')).rejects.toThrow(/field `schema` is "tidemark\.baseline\/0", expected "tidemark\.baseline\/1"/);
    await writeFile(join(dir, 'sse-churn.json'), JSON.stringify({ ...baselineFromRuns([fakeRun({ p95: 2 })], null), scenario: 'sse/churn', gated: { latency_p95: { direction: 'up', margin: 0.1 } } }));
    await expect(readBaseline('sse/churn')).rejects.toThrow(/field `gated\.latency_p95` needs direction/);
  });
});
