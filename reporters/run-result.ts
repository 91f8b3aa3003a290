/** The run result: one JSON file per scenario run, `results/<runId>/<target>-<profile>.json`. */

export const RUN_RESULT_SCHEMA = 'tidemark.run/1';

/** Summary of one k6 metric. Trend fields are in the metric's unit (ms for time). */
export interface MetricSummary {
  type: 'trend' | 'counter' | 'rate' | 'gauge';
  /**
   * Trend and rate: samples seen (rate: passes + fails). Counter: k6's `count`, the total
   * added (the same figure as `value`). Gauge: null (k6's summary does not report it).
   * Null too when a trend's `summaryTrendStats` leave `count` out.
   */
  count: number | null;
  /** Per second over the whole test (counters), or share of true (rates). */
  rate: number | null;
  avg: number | null;
  min: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  /** Counter total, gauge last value, rate share. */
  value: number | null;
}

export interface ThresholdResult {
  metric: string;
  expression: string;
  ok: boolean;
}

/** Figures about the target process, from /proc and its /stats, sampled once a second. */
export interface TargetResources {
  samples: number;
  /** Target CPU time (user + system) during the k6 run. */
  cpuMs: number;
  /** Operations the target reported doing during the run (`ops` delta of /stats). */
  ops: number;
  /** CPU per operation over the steady part of the run (from one second after load began). */
  cpuMsPerOp: number | null;
  rssPeakMB: number;
  /** Median RSS over the second half of the run. */
  rssSteadyMB: number;
  /** (steady RSS - RSS before load) / peak connections, where connections are the unit. */
  rssPerConnectionKB: number | null;
  connectionsPeak: number | null;
  /**
   * RSS slope after the run's first 2 minutes (or first fifth, if longer), MB per minute (least squares); null
   * for runs under 5 minutes. The soak gate's figure.
   */
  rssSlopeMBPerMin: number | null;
}

export interface ResourceSample {
  /** ms since the epoch */
  t: number;
  /** The target process's CPU time (user + system) so far, cumulative. */
  cpuMs: number;
  rssKB: number;
  /** Open connections or sessions now (from /stats), when the target reports them. */
  connections: number | null;
  /** Operations done so far (the `ops` counter of /stats), cumulative. */
  ops: number | null;
}

export interface RunResult {
  schema: typeof RUN_RESULT_SCHEMA;
  runId: string;
  /** `<target>/<profile>` */
  scenario: string;
  target: string;
  profile: string;
  /** Repeat index when a scenario ran several times in one invocation (`--repeat N`), else null. */
  repeat: number | null;
  git: { sha: string; branch: string; dirty: boolean };
  startedAt: string;
  finishedAt: string;
  durationS: number;
  k6: { version: string; exitCode: number };
  machine: { class: string; cpus: number; model: string; memGiB: number; os: string; node: string };
  /** URL the load went to; `managed` when the harness started the target. */
  targetUrl: string;
  managedTarget: boolean;
  load: {
    /** What one operation is: `events`, `requests`, `messages`, `ticks`. */
    unit: string;
    askedRate: number | null;
    achievedRate: number | null;
    droppedIterations: number;
    connections: number | null;
  };
  metrics: Record<string, MetricSummary>;
  thresholds: ThresholdResult[];
  resources: TargetResources | null;
  /** The scenario's primary protocol latency metric (a key of `metrics`). */
  latencyMetric: string | null;
  errorRate: number | null;
  valid: boolean;
  invalidReasons: string[];
  influx: { url: string; written: boolean; warning: string | null } | null;
}
