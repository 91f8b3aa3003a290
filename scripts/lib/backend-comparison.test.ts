import { describe, expect, it } from 'vitest';
import { sampleRun } from '../../reporters/fixtures/sample-run.ts';
import type { RunResult } from '../../reporters/run-result.ts';
import { compareBackends, type ComparisonRun, type FeatureVariant } from './backend-comparison.ts';
import { searchMaxRate } from './backend-max-rate.ts';

/** A broker run whose figures are given: e2e p50, CPU per message (target, server), losses. */
function brokerRun(o: { e2e: number; cpuMs: number; serverCpuMs?: number; lost?: number; valid?: boolean; rate?: number }): RunResult {
  const base = sampleRun();
  const summary = (extra: object) => ({ ...base.metrics[Object.keys(base.metrics)[0]!]!, ...extra });
  return {
    ...base,
    valid: o.valid ?? true,
    invalidReasons: o.valid === false ? ['achieved 60% of the asked rate'] : [],
    thresholds: [],
    load: { ...base.load, achievedRate: o.rate ?? 2000 },
    metrics: {
      broker_e2e_latency: summary({ p50: o.e2e, p99: o.e2e * 4 }),
      broker_publish_confirm: summary({ p50: o.e2e * 2, p99: o.e2e * 6 }),
      broker_lost: summary({ type: 'counter', count: o.lost ?? 0, value: o.lost ?? 0 }),
      broker_delivered_expected: summary({ type: 'counter', count: 1000, value: 1000 }),
    },
    resources: { ...base.resources!, cpuMsPerOp: o.cpuMs },
    backend: { name: 'x', server: o.serverCpuMs === undefined ? null : { ...base.resources!, cpuMsPerOp: o.serverCpuMs } },
  };
}

describe('compareBackends', () => {
  it('folds interleaved repeats into one entry per backend, with feature costs paired by repeat', () => {
    const runs: ComparisonRun[] = [];
    const add = (backend: string, variant: FeatureVariant, repeat: number, r: RunResult): void => {
      runs.push({ backend, variant, repeat, run: { ...r, backend: { name: backend, server: r.backend?.server ?? null } } });
    };
    for (const repeat of [1, 2, 3]) {
      const jitter = 1 + repeat / 100;
      add('memory', 'full', repeat, brokerRun({ e2e: 0.4 * jitter, cpuMs: 0.05 * jitter }));
      add('memory', 'no-cid', repeat, brokerRun({ e2e: 0.4 * jitter, cpuMs: 0.04 * jitter }));
      add('memory', 'no-ack', repeat, brokerRun({ e2e: 0.3 * jitter, cpuMs: 0.025 * jitter }));
      add('mqtt', 'full', repeat, brokerRun({ e2e: 1.4 * jitter, cpuMs: 0.1 * jitter, serverCpuMs: 0.04 * jitter }));
      add('mqtt', 'no-cid', repeat, brokerRun({ e2e: 1.4 * jitter, cpuMs: 0.1 * jitter, serverCpuMs: 0.04 * jitter }));
      add('mqtt', 'no-ack', repeat, brokerRun({ e2e: 1.4 * jitter, cpuMs: 0.07 * jitter, serverCpuMs: 0.02 * jitter }));
    }
    const c = compareBackends({ runId: 'r', scenario: 'broker/sustained', backends: ['memory', 'mqtt'], load: { BROKER_RATE: '250' }, runs });
    const [memory, mqtt] = c.backends;
    expect(memory).toMatchObject({ backend: 'memory', runs: 3, validRuns: 3, lost: { count: 0, expected: 3000 }, maxRate: null });
    expect(memory!.e2eP50Ms.n).toBe(3);
    expect(memory!.e2eP50Ms.mean).toBeCloseTo(0.4 * Math.exp((Math.log(1.01) + Math.log(1.02) + Math.log(1.03)) / 3), 6);
    expect(memory!.e2eP50Ms.low!).toBeLessThan(memory!.e2eP50Ms.mean!);
    expect(memory!.serverCpuUsPerMessage.mean).toBeNull();
    // Correlation ids: 0.05 vs 0.04 ms per message in every repeat: +25%, an interval of zero width.
    expect(memory!.costs.cid.cpuPerMessage?.ratio).toBeCloseTo(1.25, 6);
    expect(memory!.costs.ack.cpuPerMessage?.ratio).toBeCloseTo(2, 6);
    // The server's CPU counts in a server-backed backend's cost: (0.1 + 0.04) / (0.07 + 0.02).
    expect(mqtt!.costs.ack.cpuPerMessage?.ratio).toBeCloseTo(0.14 / 0.09, 6);
    expect(mqtt!.serverCpuUsPerMessage.mean).toBeGreaterThan(40);
    expect(c.notes.join(' ')).toContain('kafka');
  });
});

describe('searchMaxRate', () => {
  it('doubles while runs pass, then bisects to within 10%, within its step bound', async () => {
    const limit = 1300;
    const asked: number[] = [];
    const fake = async (_b: string, rate: number): Promise<RunResult> => {
      asked.push(rate);
      return brokerRun({ e2e: 1, cpuMs: 0.05, rate: rate * 8, valid: rate <= limit });
    };
    const found = await searchMaxRate('memory', 250, 10, fake);
    expect(asked).toEqual([250, 500, 1000, 2000, 1500, 1250, 1375]);
    expect(found).toMatchObject({ rate: 1250, failedAt: 1375, deliveredPerS: 10_000 });
    expect(found.steps.find((s) => s.rate === 2000)?.why).toEqual(['achieved 60% of the asked rate']);
    // A step bound stops the search, whatever the outcomes.
    expect((await searchMaxRate('memory', 250, 3, fake)).steps).toHaveLength(3);
    // Losses fail a rate even in a valid run.
    const lossy = await searchMaxRate('memory', 100, 4, async () => brokerRun({ e2e: 1, cpuMs: 0.05, lost: 2 }));
    expect(lossy.steps.map((st) => st.rate)).toEqual([100, 50, 25, 13]); // downwards from the start
    expect(lossy).toMatchObject({ rate: null, failedAt: 13 });
    expect(lossy.steps[0]?.why).toEqual(['2 confirmed message(s) lost']);
  });
});

describe('compareBackends figures', () => {
  it('keeps a run whose figure is 0 (a whole-ms clock), on the arithmetic scale', () => {
    const runs: ComparisonRun[] = [0, 0.5].map((e2e, i) => ({ backend: 'memory', variant: 'full', repeat: i + 1, run: brokerRun({ e2e, cpuMs: 0.05 }) }));
    const [memory] = compareBackends({ runId: 'r', scenario: 'broker/sustained', backends: ['memory'], load: {}, runs }).backends;
    expect(memory!.e2eP50Ms).toMatchObject({ n: 2, mean: 0.25 });
    expect(memory!.e2eP50Ms.low!).toBeLessThan(0.25);
  });
});
