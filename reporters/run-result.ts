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
  /** Target CPU time (user + system, every thread, from schedstat) during the k6 run, ms. */
  cpuMs: number;
  /** Operations the target reported doing during the run (`ops` delta of /stats). */
  ops: number;
  /** CPU per operation over the steady part of the run: from the scenario's warm-up (`warmupS`) after load began to the end. */
  cpuMsPerOp: number | null;
  /**
   * The same over the same window from /proc/<pid>/stat clock ticks (10 ms steps), the figure before schedstat;
   * kept only for issue 12's before/after A/A comparison (same runs, both figures). Null when not read.
   */
  cpuMsPerOpTicks: number | null;
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

/** A process's use of the CPUs and its wait for them, over the wall time it was watched (from schedstat). */
export interface ProcessConditions {
  /** Wall time watched, s: the target over the whole k6 run; k6 from its start to its last reading (within a second of its end). */
  watchedS: number;
  /** CPU time used over every thread, ms. */
  cpuMs: number;
  /** Time its threads were runnable but waited on a run queue for a CPU (schedstat field 2), ms. */
  runQueueMs: number;
  /** runQueueMs / cpuMs: ms waited per ms run; null when it did not run. The disturbance rule's figure. */
  runQueuePerCpu: number | null;
  /** runQueueMs / watched wall time (can exceed 1 when several of its threads wait at once). */
  runQueueShare: number;
  /** CPUs it was allowed to run on (`Cpus_allowed_list`: `0-1` unpinned on 2 cores, `1` pinned); null when not read. */
  cpus: string | null;
}

/** The whole machine over the run (every process, ours included), from /proc/stat, /proc/loadavg and /proc/pressure/cpu. */
export interface MachineConditions {
  /** Share of all CPUs' time the hypervisor gave to something else (`steal` of /proc/stat); null when not read. */
  stealShare: number | null;
  /** Share of all CPUs' time not idle; null when not read. */
  busyShare: number | null;
  /** Share of wall time at least one runnable task waited for a CPU (PSI `some`); null without /proc/pressure/cpu. */
  cpuPressureShare: number | null;
  /** 1-, 5- and 15-minute load averages just before k6 started; null when not read. */
  loadAvgStart: [number, number, number] | null;
  /** The same just after k6 ended. */
  loadAvgEnd: [number, number, number] | null;
}

/** Under what conditions the run was measured: CPU competition seen by the target and k6, and the machine's state. */
export interface RunConditions {
  /** Wall time from just before k6 started to just after it ended, s. */
  windowS: number;
  /** True when k6 and the target were pinned to separate CPUs (`--pin`, TIDEMARK_PIN). */
  pinned: boolean;
  /** Why pinning asked for was not applied (no taskset, one CPU), or null. */
  pinNote: string | null;
  /** Null when the harness did not start the target (`--url`) or could not read it. */
  target: ProcessConditions | null;
  /** Every k6 process of the run together (one, or one per segment); null when none could be read. */
  k6: ProcessConditions | null;
  machine: MachineConditions;
}

/**
 * The target's own handling time per operation (server-side latency, targets/common/handling-time.ts), over
 * the same window as `cpuMsPerOp`: advisory, beside the scenario's client-side latency metric.
 */
export interface ServerLatency {
  /** What the target timed, in its words (SSE: `event produced → written to its socket`). */
  what: string;
  /** Operations timed in the window. */
  count: number;
  /** Window start, s after the run's first resource sample (its end is the run's last). */
  fromS: number;
  /** ms */
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export interface ResourceSample {
  /** ms since the epoch */
  t: number;
  /** The target process's CPU time (user + system, every thread, ns precision from schedstat) so far, ms, cumulative. */
  cpuMs: number;
  /** The same from /proc/<pid>/stat clock ticks (10 ms steps), for cpuMsPerOpTicks; absent in older files and for --url. */
  cpuTicksMs?: number;
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
  k6: {
    /** `k6 version` output: the version line and the extensions. */
    version: string;
    exitCode: number;
    /** The Go module that provided `k6/x/sse` (the in-repo one, xk6-sse...), null when none; absent in older results. */
    sseModule?: string | null;
  };
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
  /** The target's own handling time (SSE and JSON-RPC targets); null when the target keeps none or was not sampled. */
  serverLatency: ServerLatency | null;
  /** The scenario's primary protocol latency metric (a key of `metrics`). */
  latencyMetric: string | null;
  errorRate: number | null;
  valid: boolean;
  invalidReasons: string[];
  /** How undisturbed the run was (run-queue waits, steal, load); null when nothing could be read. */
  conditions: RunConditions | null;
  /**
   * Why the run was disturbed beyond the bounds of reporters/disturbance.ts (for example the target waited for a
   * CPU more than it ran); empty when not. A disturbed run is still valid: the gate shows it, never counts it silently.
   */
  disturbed: string[];
  influx: { url: string; written: boolean; warning: string | null } | null;
  /**
   * The broker backend of a broker run given `--backend`, and its server process's CPU and RSS (null for the
   * in-memory backend, or a server tidemark did not start). Absent in other runs and older results.
   */
  backend?: { name: string; server: TargetResources | null } | null;
}
