/** Assembles the run result from k6's summary, the target's resource samples and the facts of the run. */
import {
  asK6SummaryData,
  droppedIterations,
  summarizeMetrics,
  thresholdResults,
  type K6SummaryData,
} from './k6-summary.ts';
import { RUN_RESULT_SCHEMA, type ResourceSample, type RunConditions, type RunResult, type TargetResources } from './run-result.ts';
import { invalidReasons, validityRulesFromEnv } from './validity.ts';
import { disturbanceBoundsFromEnv, disturbanceReasons } from './disturbance.ts';
import { linearSlope, median } from './resource-math.ts';
import { serverLatency, type HandlingReading } from './server-latency.ts';

export type K6SummaryFile = K6SummaryData;

export interface RunFacts {
  runId: string;
  scenario: string;
  repeat: number | null;
  git: RunResult['git'];
  machine: RunResult['machine'];
  k6: RunResult['k6'];
  startedAt: Date;
  finishedAt: Date;
  targetUrl: string;
  managedTarget: boolean;
  /** Parsed summary file, or null when k6 wrote none. */
  summary: unknown;
  /** Samples taken during the k6 run, once a second. */
  samples: ResourceSample[];
  /** The sample just before k6 started and just after it ended. */
  before: ResourceSample | null;
  after: ResourceSample | null;
  /** Why the target was lost during the run, or null. */
  targetFailure: string | null;
  /** More reasons the run is invalid, such as an interruption (default none). */
  extraReasons?: string[];
  /** Run-queue waits, steal and load over the run (scripts/lib/conditions-probe.ts), or null when not read. */
  conditions: RunConditions | null;
  /** The target's handling-time histogram read with the samples, `before` and `after` (default none). */
  handlingReadings?: HandlingReading[];
  /**
   * The broker backend the run used, with its server process's samples (CPU and RSS of the server, `ops` from
   * the target's /stats) when the harness could watch it. Default: none (not a backend run).
   */
  backend?: { name: string; samples: ResourceSample[]; before: ResourceSample | null; after: ResourceSample | null } | null;
}

/** Warm-up when the scenario's summary does not say (written before `warmupS` existed), s. */
export const DEFAULT_WARMUP_S = 1;

/** Slack for the sampler's timer: a sample due 1000 ms after another may come a little early. */
const SAMPLE_JITTER_MS = 100;

/**
 * Where the steady window starts: the first seconds carry JIT compilation and connection set-up, whose cost
 * swings between identical runs. The load began in the second before the first sample that shows operations;
 * the window starts at the first sample `warmupS` or more after that one (so 1 s gives the second sample after
 * load began, as before `warmupS` existed). `before` (the whole run) when `warmupS` is 0, when there are too
 * few samples, or when the window would hold less than half the run's operations (a run too short for it).
 * @param warmupS the scenario's warm-up, s (default 1)
 */
export function steadyStart(samples: ResourceSample[], before: ResourceSample, after: ResourceSample, warmupS = DEFAULT_WARMUP_S): ResourceSample {
  if (warmupS <= 0) return before;
  const loaded = samples.find((s) => s.ops !== null && before.ops !== null && s.ops > before.ops);
  const start = loaded ? samples.find((s) => s.t - loaded.t >= warmupS * 1000 - SAMPLE_JITTER_MS) : undefined;
  if (!start || start.ops === null || after.ops === null) return before;
  const wholeOps = Math.max(0, after.ops - (before.ops ?? 0));
  return after.ops - start.ops >= wholeOps / 2 ? start : before;
}

/**
 * CPU and operations from the end of the scenario's warm-up to the end of the run (see {@link steadyStart}).
 * @param warmupS the scenario's warm-up, s (default 1)
 */
export function steadyWindow(
  samples: ResourceSample[],
  before: ResourceSample,
  after: ResourceSample,
  warmupS = DEFAULT_WARMUP_S,
): { cpuMs: number; ops: number } {
  const start = steadyStart(samples, before, after, warmupS);
  return { cpuMs: Math.max(0, after.cpuMs - start.cpuMs), ops: Math.max(0, (after.ops ?? 0) - (start.ops ?? 0)) };
}

/**
 * The RSS slope leaves out the start of a run: connection set-up, JIT code and the heap growing to its working
 * size make every healthy target's RSS climb for a minute or two (JSON-RPC: 74 → 104 MB over the first two
 * minutes of a clean soak, then flat), and a leak must not be confused with that. Left out: the first
 * `SLOPE_SKIP_MS` or the first fifth of the run, whichever is longer.
 */
export const SLOPE_SKIP_MS = 120_000;
export const SLOPE_SKIP_SHARE = 0.2;
/**
 * Shortest stretch after the skipped start that gives a slope (else null): over less, Node's RSS sawtooth
 * (tens of MB over minutes) makes the slope say nothing. So a soak needs 5 minutes or more.
 */
export const SLOPE_MIN_WINDOW_MS = 180_000;

/** Least-squares RSS slope in MB/min after the start of the run, or null when the run is too short for one. */
export function rssSlope(samples: ResourceSample[]): number | null {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last) return null;
  const skipMs = Math.max(SLOPE_SKIP_MS, (last.t - first.t) * SLOPE_SKIP_SHARE);
  const settled = samples.filter((s) => s.t - first.t >= skipMs);
  const window = settled.length > 0 ? last.t - settled[0]!.t : 0;
  if (settled.length < 3 || window < SLOPE_MIN_WINDOW_MS) return null;
  return linearSlope(settled.map((s) => [(s.t - first.t) / 60_000, s.rssKB / 1024]));
}

/** CPU per operation, RSS peak, steady and per connection, and the RSS slope from the samples. */
/** @param warmupS the scenario's warm-up, s (default 1) */
export function targetResources(
  samples: ResourceSample[],
  before: ResourceSample | null,
  after: ResourceSample | null,
  connectionsAreUnit: boolean,
  warmupS = DEFAULT_WARMUP_S,
): TargetResources | null {
  if (before === null || after === null || samples.length === 0) return null;
  const cpuMs = Math.max(0, after.cpuMs - before.cpuMs);
  const ops = before.ops !== null && after.ops !== null ? Math.max(0, after.ops - before.ops) : 0;
  const steady = steadyWindow(samples, before, after, warmupS);
  const start = steadyStart(samples, before, after, warmupS);
  const tickCpuMs = start.cpuTicksMs !== undefined && after.cpuTicksMs !== undefined ? Math.max(0, after.cpuTicksMs - start.cpuTicksMs) : null;
  const rssPeakKB = Math.max(...samples.map((s) => s.rssKB));
  const secondHalf = samples.slice(Math.floor(samples.length / 2)).map((s) => s.rssKB);
  const rssSteadyKB = median(secondHalf);
  const connections = samples.map((s) => s.connections).filter((c): c is number => c !== null);
  const connectionsPeak = connections.length > 0 ? Math.max(...connections) : null;
  return {
    samples: samples.length,
    cpuMs,
    ops,
    cpuMsPerOp: steady.ops > 0 ? steady.cpuMs / steady.ops : null,
    cpuMsPerOpTicks: steady.ops > 0 && tickCpuMs !== null ? tickCpuMs / steady.ops : null,
    rssPeakMB: rssPeakKB / 1024,
    rssSteadyMB: rssSteadyKB / 1024,
    rssPerConnectionKB:
      connectionsAreUnit && connectionsPeak !== null && connectionsPeak > 0
        ? Math.max(0, rssSteadyKB - before.rssKB) / connectionsPeak
        : null,
    connectionsPeak,
    rssSlopeMBPerMin: rssSlope(samples),
  };
}

/** Builds the run result; validity follows `reporters/validity.ts`. */
export function buildRunResult(facts: RunFacts): RunResult {
  const summary = facts.summary === null ? null : asK6SummaryData(facts.summary);
  const meta = summary?.tidemark ?? null;
  const [target = '', profile = ''] = facts.scenario.split('/');
  const metrics = summary ? summarizeMetrics(summary) : {};
  const durationS = meta?.durationS ?? (summary ? summary.state.testRunDurationMs / 1000 : 0);
  const received = meta?.rateMetric ? metrics[meta.rateMetric]?.value ?? null : null;
  const expected = meta?.expectedMetric ? metrics[meta.expectedMetric]?.value ?? null : null;
  const askedRate = expected !== null && durationS > 0 ? expected / durationS : meta?.askedRate ?? null;
  const achievedRate = received !== null && durationS > 0 ? received / durationS : null;
  const errorRate = meta?.errorMetric ? metrics[meta.errorMetric]?.rate ?? null : null;
  const dropped = summary ? droppedIterations(summary) : 0;
  const warmupS = meta?.warmupS ?? DEFAULT_WARMUP_S;
  const reasons = invalidReasons(
    {
      droppedIterations: dropped,
      askedRate,
      achievedRate,
      errorRate,
      targetFailure: facts.targetFailure,
      k6ExitCode: facts.k6.exitCode,
      haveSummary: summary !== null,
    },
    validityRulesFromEnv(),
  ).concat(facts.extraReasons ?? []);
  return {
    schema: RUN_RESULT_SCHEMA,
    runId: facts.runId,
    scenario: facts.scenario,
    target,
    profile,
    repeat: facts.repeat,
    git: facts.git,
    startedAt: facts.startedAt.toISOString(),
    finishedAt: facts.finishedAt.toISOString(),
    durationS: (facts.finishedAt.getTime() - facts.startedAt.getTime()) / 1000,
    k6: facts.k6,
    machine: facts.machine,
    targetUrl: facts.targetUrl,
    managedTarget: facts.managedTarget,
    load: {
      unit: meta?.unit ?? 'iterations',
      askedRate,
      achievedRate,
      droppedIterations: dropped,
      connections: meta?.connections ?? null,
    },
    metrics,
    thresholds: summary ? thresholdResults(summary) : [],
    resources: targetResources(facts.samples, facts.before, facts.after, (meta?.connections ?? null) !== null, warmupS),
    serverLatency:
      facts.before && facts.after && facts.handlingReadings
        ? serverLatency(facts.handlingReadings, steadyStart(facts.samples, facts.before, facts.after, warmupS).t, facts.after.t, facts.before.t)
        : null,
    latencyMetric: meta?.latencyMetric ?? null,
    errorRate,
    valid: reasons.length === 0,
    invalidReasons: reasons,
    conditions: facts.conditions,
    disturbed: disturbanceReasons(facts.conditions, disturbanceBoundsFromEnv()),
    influx: null,
    ...(facts.backend ? { backend: { name: facts.backend.name, server: targetResources(facts.backend.samples, facts.backend.before, facts.backend.after, false, warmupS) } } : {}),
  };
}
