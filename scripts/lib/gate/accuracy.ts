/**
 * Measures the gate's error rates: A/A gates on an unchanged build (false alarms) and gates with known
 * regressions injected through the fault knobs (detection), all decided by the real `compareAll`.
 *
 * Design: a pool of unchanged runs is measured first. Each A/A trial draws a baseline and a current set,
 * disjoint, at random from the pool. Each injected trial runs fresh current runs with the fault on and draws
 * its baseline from the pool. Fault sizes come from the pool's medians, so "+10% p95" means +10% of what this
 * machine measured today.
 *
 * Baselines are often taken at another machine load than the runs they judge (a quiet evening, a busy CI host).
 * With `loaded`, a second pool is measured while threads keep CPUs busy (busy-load.ts), interleaved run by run
 * with the quiet pool, and two more A/A sets cross the pools: loaded baselines against quiet runs, and quiet
 * baselines against loaded runs.
 */
import type { RunResult } from '../../../reporters/run-result.ts';
import { runScenario } from '../run-scenario.ts';
import { baselineFromRuns } from './baseline-file.ts';
import { compareAll } from './compare.ts';
import { gatedFigures } from './gated-metrics.ts';
import { withBusyLoad } from './busy-load.ts';

export interface FaultPlan {
  /** Name in the report, e.g. `delay +10% p95`. */
  name: string;
  /** The metric whose regression counts as a detection. */
  metric: string;
  /** Target environment computed from the pool's medians. */
  env: (medians: Record<string, number>) => Record<string, string>;
}

export interface AccuracyOptions {
  scenario: string;
  /** Unchanged runs measured for the pool (default 40). */
  poolRuns: number;
  /** A/A trials drawn from the pool (default 100). */
  aaTrials: number;
  /** Injected trials per fault (default 20). */
  faultTrials: number;
  /** Runs per gate (the gate's --repeat, default 3). */
  repeat: number;
  /** Baseline runs per trial (default 5). */
  baselineRuns: number;
  duration: string;
  alpha: number;
  faults: FaultPlan[];
  runId: string;
  outDir: string;
  /** Seed of the trial draws, for a repeatable analysis of the same runs (default 1). */
  seed: number;
  /** Pin k6 and the target to separate CPUs (run-scenario's `pin`). @default false */
  pin?: boolean;
  /** A second pool of `runs` runs taken while `busyThreads` threads burn CPU, crossed with the quiet pool. @default none */
  loaded?: { runs: number; busyThreads: number } | undefined;
  log: (line: string) => void;
}

/** The machine as a pool's runs saw it: medians over the runs of `RunResult.conditions.machine`. */
export interface PoolConditions {
  runs: number;
  invalid: number;
  /** Share of the CPUs' time not idle. */
  busyShare: number | null;
  /** Share of wall time a runnable task waited for a CPU (PSI `some`). */
  cpuPressureShare: number | null;
  /** Runs marked disturbed (reporters/disturbance.ts). */
  disturbed: number;
}

/** The loaded pool and the A/A gates that cross it with the quiet one. */
export interface LoadedAccuracy {
  busyThreads: number;
  quiet: PoolConditions;
  loaded: PoolConditions;
  /** Baselines drawn from the loaded pool, current runs from the quiet one. */
  loadedBaseline: TrialOutcome[];
  /** Baselines drawn from the quiet pool, current runs from the loaded one. */
  loadedCurrent: TrialOutcome[];
}

export interface TrialOutcome {
  kind: string;
  regression: boolean;
  /** Metrics the gate called regressions. */
  flagged: string[];
  invalid: boolean;
}

export interface AccuracyResult {
  scenario: string;
  medians: Record<string, number>;
  faultEnv: Record<string, Record<string, string>>;
  aa: TrialOutcome[];
  faults: Record<string, TrialOutcome[]>;
  poolInvalid: number;
  runSeconds: number[];
  loaded?: LoadedAccuracy;
}

/** Mulberry32: a small seeded generator, so trial draws are repeatable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `k` distinct items drawn at random. */
export function draw<T>(items: T[], k: number, random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy.slice(0, k);
}

function conditionsOf(pool: RunResult[]): PoolConditions {
  const med = (pick: (r: RunResult) => number | null | undefined): number | null => {
    const values = pool.map(pick).filter((v): v is number => typeof v === 'number');
    return values.length > 0 ? medianOf(values) : null;
  };
  return {
    runs: pool.length,
    invalid: pool.filter((r) => !r.valid).length,
    busyShare: med((r) => r.conditions?.machine.busyShare),
    cpuPressureShare: med((r) => r.conditions?.machine.cpuPressureShare),
    disturbed: pool.filter((r) => (r.disturbed ?? []).length > 0).length,
  };
}

function medianOf(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** One gate decision: baseline runs vs current runs, by the real decision rule. */
export function decide(kind: string, baseline: RunResult[], current: RunResult[], alpha: number): TrialOutcome {
  const base = baselineFromRuns(baseline, null);
  const [result] = compareAll(
    [{ scenario: base.scenario, gated: base.gated, reference: base.runs.map((r) => r.figures), current }],
    { alpha, level: 0.95 },
  );
  const flagged = (result?.metrics ?? []).filter((m) => m.verdict === 'regression').map((m) => m.metric);
  return {
    kind,
    regression: result?.verdict === 'regression',
    flagged: [...flagged, ...(result?.sloFailures ?? []).map((s) => `threshold ${s}`)],
    invalid: result?.verdict === 'invalid',
  };
}

export async function measureAccuracy(opts: AccuracyOptions): Promise<AccuracyResult> {
  const random = seededRandom(opts.seed);
  const runSeconds: number[] = [];
  let counter = 0;
  const run = async (label: string, targetEnv: Record<string, string>): Promise<RunResult> => {
    counter += 1;
    const started = Date.now();
    const result = await runScenario({
      scenario: opts.scenario,
      runId: opts.runId,
      outDir: opts.outDir,
      repeat: counter,
      duration: opts.duration,
      targetEnv,
      pin: opts.pin ?? false,
      log: () => {},
    });
    runSeconds.push((Date.now() - started) / 1000);
    opts.log(`  run ${counter} ${label}: ${result.valid ? 'valid' : `INVALID ${result.invalidReasons.join('; ')}`}`);
    return result;
  };

  const loadedRuns = opts.loaded?.runs ?? 0;
  const busyThreads = opts.loaded?.busyThreads ?? 0;
  opts.log(`pool: ${opts.poolRuns} unchanged runs of ${opts.scenario} (${opts.duration} each)${loadedRuns > 0 ? `, interleaved with ${loadedRuns} taken while ${busyThreads} thread(s) burn CPU` : ''}`);
  const pool: RunResult[] = [];
  const loadedPool: RunResult[] = [];
  for (let i = 0; i < Math.max(opts.poolRuns, loadedRuns); i++) {
    if (i < opts.poolRuns) pool.push(await run('unchanged', {}));
    if (i < loadedRuns) loadedPool.push(await withBusyLoad(busyThreads, () => run(`unchanged, ${busyThreads} busy thread(s)`, {})));
  }
  // Runs whose k6 thresholds failed stay in: a gate counts those as regressions, so they are false alarms.
  const validPool = pool.filter((r) => r.valid);
  const need = opts.baselineRuns + opts.repeat;
  if (validPool.length < need) throw new Error(`only ${validPool.length} valid unchanged runs; need ${need}`);

  const medians: Record<string, number> = {};
  const figures = validPool.map(gatedFigures);
  for (const name of Object.keys(figures[0] ?? {})) {
    const values = figures.map((f) => f[name]).filter((v): v is number => typeof v === 'number');
    if (values.length > 0) medians[name] = medianOf(values);
  }

  const aa: TrialOutcome[] = [];
  for (let t = 0; t < opts.aaTrials; t++) {
    const picked = draw(validPool, need, random);
    aa.push(decide('A/A', picked.slice(0, opts.baselineRuns), picked.slice(opts.baselineRuns), opts.alpha));
  }

  let loaded: LoadedAccuracy | undefined;
  if (loadedRuns > 0) {
    const validLoaded = loadedPool.filter((r) => r.valid);
    if (validLoaded.length < need) throw new Error(`only ${validLoaded.length} valid loaded runs; need ${need}`);
    const cross = (kind: string, basePool: RunResult[], currentPool: RunResult[]): TrialOutcome[] =>
      Array.from({ length: opts.aaTrials }, () => decide(kind, draw(basePool, opts.baselineRuns, random), draw(currentPool, opts.repeat, random), opts.alpha));
    loaded = {
      busyThreads,
      quiet: conditionsOf(pool),
      loaded: conditionsOf(loadedPool),
      loadedBaseline: cross('A/A, loaded baseline', validLoaded, validPool),
      loadedCurrent: cross('A/A, loaded current', validPool, validLoaded),
    };
  }

  const faults: Record<string, TrialOutcome[]> = {};
  const faultEnv: Record<string, Record<string, string>> = {};
  for (const fault of opts.faults) {
    const env = fault.env(medians);
    faultEnv[fault.name] = env;
    opts.log(`fault ${fault.name}: ${JSON.stringify(env)}, ${opts.faultTrials} trials × ${opts.repeat} runs`);
    const outcomes: TrialOutcome[] = [];
    for (let t = 0; t < opts.faultTrials; t++) {
      const current: RunResult[] = [];
      for (let r = 0; r < opts.repeat; r++) current.push(await run(fault.name, env));
      const outcome = decide(fault.name, draw(validPool, opts.baselineRuns, random), current, opts.alpha);
      outcomes.push({ ...outcome, regression: outcome.flagged.includes(fault.metric) });
    }
    faults[fault.name] = outcomes;
  }
  return { scenario: opts.scenario, medians, faultEnv, aa, faults, poolInvalid: pool.length - validPool.length, runSeconds, ...(loaded ? { loaded } : {}) };
}
