/**
 * Run result → InfluxDB 1.x points (pure). Names, tags and fields are documented in reporters/README.md.
 *
 * Timestamps come from the run result only (its `finishedAt`, each sample's `t`), never from the clock:
 * InfluxDB 1.x keeps one point per measurement + tag set + timestamp and overwrites it on a second write,
 * so importing the same run twice leaves the same points.
 */
import type { MetricSummary, ResourceSample, RunResult } from './run-result.ts';

/** A point as the `influx` client's `writePoints` takes it; every field is written as a float. */
export interface InfluxPoint {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, number>;
  timestamp: Date;
}

export const MEASUREMENT_RUN = 'tidemark_run';
export const MEASUREMENT_RUN_INFO = 'tidemark_run_info';
export const MEASUREMENT_RESOURCES = 'tidemark_resources';

/** Line protocol has no empty tag values: an empty one is written as this. */
const EMPTY_TAG = 'unknown';

/** Only finite numbers; a point's null figures are left out rather than written. */
function finiteFields(entries: Array<[string, number | null | undefined]>): Record<string, number> {
  const fields: Record<string, number> = {};
  for (const [key, value] of entries) {
    if (typeof value === 'number' && Number.isFinite(value)) fields[key] = value;
  }
  return fields;
}

function tag(value: string): string {
  return value === '' ? EMPTY_TAG : value;
}

/**
 * Tags every run-level point carries: testid, scenario, target, profile, plus `repeat` for repeated runs and
 * `backend` for broker runs given a backend.
 */
export function scenarioTags(run: RunResult): Record<string, string> {
  return {
    testid: tag(run.runId),
    scenario: tag(run.scenario),
    target: tag(run.target),
    profile: tag(run.profile),
    ...(run.repeat === null ? {} : { repeat: String(run.repeat) }),
    ...(run.backend ? { backend: tag(run.backend.name) } : {}),
  };
}

/** `scenarioTags` plus branch and git_sha. */
export function runTags(run: RunResult): Record<string, string> {
  return { ...scenarioTags(run), branch: tag(run.git.branch), git_sha: tag(run.git.sha) };
}

/** The run's timestamp: its finish time. */
export function runTime(run: RunResult): Date {
  const ms = Date.parse(run.finishedAt);
  if (Number.isNaN(ms)) throw new Error(`run ${run.runId}: finishedAt ${JSON.stringify(run.finishedAt)} is not a date`);
  return new Date(ms);
}

function metricFields(m: MetricSummary): Record<string, number> {
  return finiteFields([
    ['count', m.count], ['rate', m.rate], ['avg', m.avg], ['min', m.min], ['p50', m.p50], ['p90', m.p90],
    ['p95', m.p95], ['p99', m.p99], ['max', m.max], ['value', m.value],
  ]);
}

/** `tidemark_run`: one point per metric of the run (metrics with no figures at all are skipped). */
export function runMetricPoints(run: RunResult): InfluxPoint[] {
  const tags = { ...runTags(run), valid: String(run.valid) };
  const timestamp = runTime(run);
  const points: InfluxPoint[] = [];
  for (const [metric, summary] of Object.entries(run.metrics)) {
    const fields = metricFields(summary);
    if (Object.keys(fields).length === 0) continue;
    points.push({ measurement: MEASUREMENT_RUN, tags: { ...tags, metric: tag(metric) }, fields, timestamp });
  }
  return points;
}

/** `tidemark_run_info`: one point per run with load, validity and target resource figures. */
export function runInfoPoint(run: RunResult): InfluxPoint {
  const r = run.resources;
  const server = run.backend?.server;
  return {
    measurement: MEASUREMENT_RUN_INFO,
    tags: runTags(run),
    fields: finiteFields([
      ['asked_rate', run.load.askedRate],
      ['achieved_rate', run.load.achievedRate],
      ['dropped_iterations', run.load.droppedIterations],
      ['cpu_ms_per_op', r?.cpuMsPerOp],
      ['rss_peak_mb', r?.rssPeakMB],
      ['rss_steady_mb', r?.rssSteadyMB],
      ['rss_per_connection_kb', r?.rssPerConnectionKB],
      ['error_rate', run.errorRate],
      ['valid', run.valid ? 1 : 0],
      ['duration_s', run.durationS],
      ['thresholds_failed', run.thresholds.filter((t) => !t.ok).length],
      // The broker backend's server process (RabbitMQ, Mosquitto), per broker delivery.
      ['backend_cpu_ms_per_op', server?.cpuMsPerOp],
      ['backend_rss_peak_mb', server?.rssPeakMB],
      ['backend_rss_steady_mb', server?.rssSteadyMB],
    ]),
    timestamp: runTime(run),
  };
}

/** `tidemark_resources`: one point per target sample, at the sample's own time (ms, rounded). */
export function resourcePoints(run: RunResult, samples: readonly ResourceSample[]): InfluxPoint[] {
  const tags = scenarioTags(run);
  return samples.flatMap((s) => {
    const fields = finiteFields([['cpu_ms', s.cpuMs], ['rss_kb', s.rssKB], ['connections', s.connections], ['ops', s.ops]]);
    if (!Number.isFinite(s.t) || Object.keys(fields).length === 0) return [];
    return [{ measurement: MEASUREMENT_RESOURCES, tags, fields, timestamp: new Date(Math.round(s.t)) }];
  });
}

/** Every point of one run: metrics, run info and resource samples. */
export function runPoints(run: RunResult, samples: readonly ResourceSample[] = []): InfluxPoint[] {
  return [...runMetricPoints(run), runInfoPoint(run), ...resourcePoints(run, samples)];
}
