/**
 * The broker backend comparison's fold (pure): the run results of one invocation of
 * `npm run scenario -- broker/<profile> --backend a,b,...`, interleaved and repeated, folded into one entry per
 * backend with an interval over the repeats, plus what correlation ids and acks cost on each backend (paired by
 * repeat against the run with every feature on).
 */
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import type { RunResult } from '../../reporters/run-result.ts';
import { BACKEND_SERVER, KAFKA_NOTE, type BrokerBackendName } from '../../targets/broker/backend-choice.ts';
import { COMPARISON_SCHEMA, type BackendComparison, type BackendEntry, type FeatureCost, type Figure, type MaxRate } from '../../reporters/backend-comparison.ts';
import { logPaired } from './gate/stats.ts';

export const BACKENDS_FILE = 'backends.json';

/**
 * The feature runs beside the one with every feature on: each turns one feature off, so the feature's cost is
 * the paired ratio `full / without`.
 */
export const FEATURE_VARIANTS = {
  full: {},
  'no-cid': { BROKER_CID: '0' },
  'no-ack': { BROKER_ACK: '0' },
} as const satisfies Record<string, Record<string, string>>;
export type FeatureVariant = keyof typeof FEATURE_VARIANTS;

/** One run of the comparison. */
export interface ComparisonRun {
  backend: string;
  variant: FeatureVariant;
  /** 1-based repeat: runs of one repeat ran back to back. */
  repeat: number;
  run: RunResult;
}

function figure(values: Array<number | null | undefined>): Figure {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  // Log scale when every value is positive; else (a latency of 0 or below, read on a whole-ms clock) plain.
  const log = xs.every((x) => x > 0);
  const ys = log ? xs.map(Math.log) : xs;
  const back = (y: number): number => (log ? Math.exp(y) : y);
  const n = ys.length;
  if (n === 0) return { mean: null, low: null, high: null, n };
  const m = ys.reduce((s, y) => s + y, 0) / n;
  if (n < 2) return { mean: back(m), low: null, high: null, n };
  const sd = Math.sqrt(ys.reduce((s, y) => s + (y - m) ** 2, 0) / (n - 1));
  const half = tQuantile(0.975, n - 1) * (sd / Math.sqrt(n));
  return { mean: back(m), low: back(m - half), high: back(m + half), n };
}

const metric = (run: RunResult, name: string): RunResult['metrics'][string] | undefined => run.metrics[name];
const count = (run: RunResult, name: string): number => metric(run, name)?.count ?? 0;
/** CPU per delivered message of the target and the server together, µs (null when either was not measured). */
function totalCpuUs(run: RunResult): number | null {
  const target = run.resources?.cpuMsPerOp;
  if (target == null) return null;
  const backend = run.backend?.name;
  if (backend === undefined || BACKEND_SERVER[backend as BrokerBackendName] === undefined) return target * 1000;
  const server = run.backend?.server?.cpuMsPerOp;
  return server == null ? null : (target + server) * 1000;
}

function pairedCost(full: ComparisonRun[], without: ComparisonRun[], value: (r: RunResult) => number | null): FeatureCost['cpuPerMessage'] {
  const a: number[] = [];
  const b: number[] = [];
  for (const f of full) {
    const w = without.find((x) => x.repeat === f.repeat);
    const vf = value(f.run);
    const vw = w === undefined ? null : value(w.run);
    if (vf === null || vw === null || !(vf > 0) || !(vw > 0)) continue;
    a.push(vw);
    b.push(vf);
  }
  const t = logPaired(a, b);
  return t === null ? null : { ratio: t.ratio, low: t.ciLow, high: t.ciHigh, pairs: a.length };
}

function entry(backend: string, runs: ComparisonRun[], maxRate: MaxRate | null): BackendEntry {
  const of = (variant: FeatureVariant): ComparisonRun[] => runs.filter((r) => r.variant === variant);
  const full = of('full');
  const fullRuns = full.map((r) => r.run);
  const e2eP50 = (r: RunResult): number | null => metric(r, 'broker_e2e_latency')?.p50 ?? null;
  const cost = (variant: FeatureVariant): FeatureCost => ({
    cpuPerMessage: pairedCost(full, of(variant), totalCpuUs),
    e2eP50: pairedCost(full, of(variant), e2eP50),
  });
  return {
    backend,
    runs: fullRuns.length,
    validRuns: fullRuns.filter((r) => r.valid).length,
    invalidReasons: [...new Set(fullRuns.flatMap((r) => r.invalidReasons))],
    publishConfirmP50Ms: figure(fullRuns.map((r) => metric(r, 'broker_publish_confirm')?.p50)),
    publishConfirmP99Ms: figure(fullRuns.map((r) => metric(r, 'broker_publish_confirm')?.p99)),
    e2eP50Ms: figure(fullRuns.map(e2eP50)),
    e2eP99Ms: figure(fullRuns.map((r) => metric(r, 'broker_e2e_latency')?.p99)),
    deliveredPerS: figure(fullRuns.map((r) => r.load.achievedRate)),
    lost: { count: fullRuns.reduce((s, r) => s + count(r, 'broker_lost'), 0), expected: fullRuns.reduce((s, r) => s + count(r, 'broker_delivered_expected'), 0) },
    duplicated: fullRuns.reduce((s, r) => s + count(r, 'broker_duplicates'), 0),
    outOfOrder: fullRuns.reduce((s, r) => s + count(r, 'broker_out_of_order'), 0),
    targetCpuUsPerMessage: figure(fullRuns.map((r) => (r.resources?.cpuMsPerOp == null ? null : r.resources.cpuMsPerOp * 1000))),
    targetRssMB: figure(fullRuns.map((r) => r.resources?.rssSteadyMB)),
    serverCpuUsPerMessage: figure(fullRuns.map((r) => (r.backend?.server?.cpuMsPerOp == null ? null : r.backend.server.cpuMsPerOp * 1000))),
    serverRssMB: figure(fullRuns.map((r) => r.backend?.server?.rssSteadyMB)),
    costs: { cid: cost('no-cid'), ack: cost('no-ack') },
    maxRate,
  };
}

/**
 * Folds the runs into one entry per backend, in the order given.
 * @param load the k6 variables every run got (recorded as the comparison's load)
 */
export function compareBackends(o: {
  runId: string;
  scenario: string;
  backends: string[];
  load: Record<string, string>;
  runs: ComparisonRun[];
  /** The max-rate search's outcome per backend (default: not run). */
  maxRates?: ReadonlyMap<string, MaxRate>;
}): BackendComparison {
  const repeats = Math.max(0, ...o.runs.map((r) => r.repeat));
  return {
    schema: COMPARISON_SCHEMA,
    runId: o.runId,
    scenario: o.scenario,
    load: o.load,
    repeats,
    backends: o.backends.map((b) => entry(b, o.runs.filter((r) => r.backend === b), o.maxRates?.get(b) ?? null)),
    notes: [KAFKA_NOTE],
  };
}
