/**
 * The `ticks` scenario every price-engine profile runs: over HTTP, an arrival-rate executor with one iteration
 * per batch (exec `publish`); over WebSocket, one long iteration per publisher (exec `publishWs`, see
 * publishOverWs in price-ticks.ts). No k6 imports and no `__ENV`: Node tests build it directly.
 */
import type { ConstantArrivalRateScenario, PerVUIterationsScenario, RampingArrivalRateScenario, Stage } from 'k6/options';

/** The settings a tick scenario depends on (a PriceConfig has them). */
export interface TickSettings {
  /** `http`: POST batches at an arrival rate; `ws`: WebSocket publishers. */
  transport: 'http' | 'ws';
  /** Ticks per second in steady state. */
  rate: number;
  /** Ticks per HTTP POST. */
  batch: number;
  /** WebSocket publisher sessions. */
  publishers: number;
}

/**
 * Arrival-rate settings for `ratePerS` ticks/s in batches of `cfg.batch`: one iteration per batch.
 * `rate` per `timeUnit` of `batch` seconds is exactly ratePerS / batch iterations a second, also when
 * that is not a whole number.
 */
export function batchArrival(cfg: Pick<TickSettings, 'batch'>, ratePerS: number): { rate: number; timeUnit: string } {
  return { rate: ratePerS, timeUnit: `${cfg.batch}s` };
}

/** VUs an arrival-rate tick scenario needs for `ratePerS` (a POST takes a few ms; ample headroom for stalls). */
export function publisherVus(cfg: Pick<TickSettings, 'batch'>, ratePerS: number): number {
  return Math.min(300, Math.ceil((ratePerS / cfg.batch) * 0.2) + 10);
}

/** The HTTP tick rate over time: steady by default, or `stages` (ticks/s targets, e.g. burstStages). */
export interface TickArrival {
  /** Steady (or starting) rate, ticks/s. Default `cfg.rate`. */
  rate?: number;
  /** `ramping-arrival-rate` stages, targets in ticks/s like `rate`; the HTTP VUs are sized for the highest. Default none: constant rate. */
  stages?: Stage[];
}

export type TickScenario = ConstantArrivalRateScenario | RampingArrivalRateScenario | PerVUIterationsScenario;

/**
 * The `ticks` scenario for `cfg.transport`, sending for `durationS` seconds.
 * - http: `constant-arrival-rate` for `durationS` (or `ramping-arrival-rate` through `arrival.stages`),
 *   VUs from {@link publisherVus}, gracefulStop 5s, exec `publish`;
 * - ws: `per-vu-iterations`, one iteration per publisher, maxDuration `durationS` + 10 s rounded up, exec `publishWs`.
 * @param durationS seconds of ticks (with stages, the stages set the HTTP length; WebSocket plans still use this)
 */
export function tickScenario(cfg: TickSettings, durationS: number, arrival: TickArrival = {}): TickScenario {
  if (cfg.transport !== 'http') {
    return {
      executor: 'per-vu-iterations',
      vus: cfg.publishers,
      iterations: 1,
      maxDuration: `${Math.ceil(durationS + 10)}s`,
      exec: 'publishWs',
    };
  }
  const rate = arrival.rate ?? cfg.rate;
  const { stages } = arrival;
  if (stages === undefined) {
    const vus = publisherVus(cfg, rate);
    return {
      executor: 'constant-arrival-rate',
      ...batchArrival(cfg, rate),
      duration: `${durationS}s`,
      preAllocatedVUs: vus,
      maxVUs: vus,
      gracefulStop: '5s',
      exec: 'publish',
    };
  }
  const vus = publisherVus(cfg, Math.max(rate, ...stages.map((s) => s.target)));
  const { rate: startRate, timeUnit } = batchArrival(cfg, rate);
  return {
    executor: 'ramping-arrival-rate',
    startRate,
    timeUnit,
    // Stage targets are per timeUnit, like startRate: ticks/s per `batch` seconds = batches/s.
    stages,
    preAllocatedVUs: vus,
    maxVUs: vus,
    gracefulStop: '5s',
    exec: 'publish',
  };
}
