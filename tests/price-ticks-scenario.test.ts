/**
 * tickScenario (scenarios/lib/price-ticks-scenario.ts) builds the price-engine `ticks` scenario that sustained,
 * burst and the churn shape (churn, soak) each wrote out before: the same options object, key for key and in
 * the same order, for both transports. The `before*` functions are those three blocks as they were.
 */
import { describe, expect, it } from 'vitest';
import { tickScenario, type TickSettings } from '../scenarios/lib/price-ticks-scenario.ts';

interface Cfg extends TickSettings {
  durationS: number;
}

// The helpers as price-config.ts had them.
const batchArrival = (cfg: Cfg, ratePerS: number): { rate: number; timeUnit: string } => ({ rate: ratePerS, timeUnit: `${cfg.batch}s` });
const publisherVus = (cfg: Cfg, ratePerS: number): number => Math.min(300, Math.ceil((ratePerS / cfg.batch) * 0.2) + 10);

/** scenarios/price-engine/sustained.ts, before. */
function beforeSustained(cfg: Cfg): unknown {
  const vus = publisherVus(cfg, cfg.rate);
  return cfg.transport === 'http'
    ? {
        executor: 'constant-arrival-rate' as const,
        ...batchArrival(cfg, cfg.rate),
        duration: `${cfg.durationS}s`,
        preAllocatedVUs: vus,
        maxVUs: vus,
        gracefulStop: '5s',
        exec: 'publish',
      }
    : {
        executor: 'per-vu-iterations' as const,
        vus: cfg.publishers,
        iterations: 1,
        maxDuration: `${Math.ceil(cfg.durationS + 10)}s`,
        exec: 'publishWs',
      };
}

/** scenarios/price-engine/burst.ts, before (`planDurationS` is burstPlan(...).durationS). */
function beforeBurst(cfg: Cfg, planDurationS: number, stages: Array<{ target: number; duration: string }>): unknown {
  const vus = publisherVus(cfg, cfg.rate * 10);
  return cfg.transport === 'http'
    ? {
        executor: 'ramping-arrival-rate' as const,
        startRate: batchArrival(cfg, cfg.rate).rate,
        timeUnit: batchArrival(cfg, cfg.rate).timeUnit,
        stages,
        preAllocatedVUs: vus,
        maxVUs: vus,
        gracefulStop: '5s',
        exec: 'publish',
      }
    : {
        executor: 'per-vu-iterations' as const,
        vus: cfg.publishers,
        iterations: 1,
        maxDuration: `${Math.ceil(planDurationS + 10)}s`,
        exec: 'publishWs',
      };
}

/** scenarios/lib/price-churn.ts, before. */
function beforeChurn(cfg: Cfg, tailS: number): unknown {
  const vus = publisherVus(cfg, cfg.rate);
  return cfg.transport === 'http'
    ? {
        executor: 'constant-arrival-rate' as const,
        ...batchArrival(cfg, cfg.rate),
        duration: `${cfg.durationS + tailS}s`,
        preAllocatedVUs: vus,
        maxVUs: vus,
        gracefulStop: '5s',
        exec: 'publish',
      }
    : {
        executor: 'per-vu-iterations' as const,
        vus: cfg.publishers,
        iterations: 1,
        maxDuration: `${Math.ceil(cfg.durationS + tailS + 10)}s`,
        exec: 'publishWs',
      };
}

/**
 * burstShape / burstStages (scenarios/lib/phases.ts, which imports k6/execution) and burstPlan's length: the
 * stages and `plan.durationS` burst.ts passes, for a run of `durationS` at `rate`.
 */
function burstStagesForTest(durationS: number, rate: number): { stages: Array<{ target: number; duration: string }>; planDurationS: number } {
  const part = (share: number): number => Math.max(1, Math.round(durationS * share));
  const shape = { preS: part(0.35), rampS: part(0.05), spikeS: part(0.2), recoveryS: part(0.35) };
  const spike = rate * 10;
  const stages = [
    { target: rate, duration: `${shape.preS}s` },
    { target: spike, duration: `${shape.rampS}s` },
    { target: spike, duration: `${shape.spikeS}s` },
    { target: rate, duration: `${shape.rampS}s` },
    { target: rate, duration: `${shape.recoveryS}s` },
  ];
  return { stages, planDurationS: shape.preS + 2 * shape.rampS + shape.spikeS + shape.recoveryS };
}

/** Same keys in the same order with the same values (toStrictEqual ignores key order; k6 does not care, JSON does). */
function expectSame(after: unknown, before: unknown): void {
  expect(after).toStrictEqual(before);
  expect(JSON.stringify(after)).toBe(JSON.stringify(before));
}

const configs: Cfg[] = [];
for (const transport of ['http', 'ws'] as const) {
  for (const [rate, batch, publishers, durationS] of [
    [10_000, 50, 2, 15], // sustained defaults
    [1000, 50, 2, 20], // burst and churn defaults
    [7, 3, 1, 2.5], // fractional duration, rate below one batch a second
    [1_000_000, 1, 1000, 600], // VU cap
    [250, 100, 3, 90.25],
  ] as const) {
    configs.push({ transport, rate, batch, publishers, durationS });
  }
}
const name = (c: Cfg): string => `${c.transport} rate=${c.rate} batch=${c.batch} publishers=${c.publishers} ${c.durationS}s`;

describe('tickScenario builds what each profile wrote out before', () => {
  it.each(configs.map((c) => [name(c), c] as const))('sustained, %s', (_, cfg) => {
    expectSame(tickScenario(cfg, cfg.durationS), beforeSustained(cfg));
  });

  it.each(configs.map((c) => [name(c), c] as const))('burst, %s', (_, cfg) => {
    const { stages, planDurationS } = burstStagesForTest(cfg.durationS, cfg.rate);
    expectSame(tickScenario(cfg, planDurationS, { stages }), beforeBurst(cfg, planDurationS, stages));
  });

  it.each(configs.map((c) => [name(c), c] as const))('churn and soak, %s', (_, cfg) => {
    for (const tailS of [2, 6, 41]) expectSame(tickScenario(cfg, cfg.durationS + tailS), beforeChurn(cfg, tailS));
  });

  it('sizes ramping HTTP publishers for the highest stage, and takes another steady rate', () => {
    const cfg: TickSettings = { transport: 'http', rate: 1000, batch: 10, publishers: 2 };
    const ramp = tickScenario(cfg, 20, { stages: [{ target: 1000, duration: '5s' }, { target: 5000, duration: '5s' }, { target: 1000, duration: '5s' }] });
    expect(ramp).toMatchObject({ executor: 'ramping-arrival-rate', startRate: 1000, timeUnit: '10s', preAllocatedVUs: 110, maxVUs: 110 });
    expect(tickScenario(cfg, 20, { rate: 500 })).toMatchObject({ executor: 'constant-arrival-rate', rate: 500, duration: '20s', maxVUs: 20 });
  });
});
