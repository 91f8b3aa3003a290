/**
 * The `backend` variable of the Run and History dashboards and the Run dashboard's "Broker backends" row,
 * against a real InfluxDB: a broker run on RabbitMQ and one on MQTT (one testid, as a backend comparison
 * writes them) and an SSE run without a backend. Tidemark's points go through the harness's own writer
 * (`backend` tag, backend server fields); k6's samples are written as k6's InfluxDB output writes them, with
 * the tags `run-scenario.ts` passes (`--tag backend=…` only on the broker runs). Every run has its own time
 * window, so the times a query returns say which runs it picked up.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { sampleRun, sampleSamples } from '../reporters/fixtures/sample-run.ts';
import { writeRunToInflux } from '../reporters/influx-writer.ts';
import type { MetricSummary, RunResult, TargetResources } from '../reporters/run-result.ts';
import { BROKER_BACKEND_PANELS } from '../grafana/dashboards/run.ts';
import { DASHBOARDS } from '../grafana/lib/catalog.ts';
import type { InfluxSeries } from '../grafana/lib/influxql-http.ts';
import { checkDashboard, type CheckOptions, type DashboardCheck, type QueryOutcome } from '../grafana/lib/query-check.ts';
import type { TimeContext, VariableValue } from '../grafana/lib/template.ts';
import { useTestInflux } from '../scripts/lib/influxd-testing.ts';

const PORT = 18132;
const DB = 'backends';
const influx = useTestInflux(PORT);
const CMP = `it-backends-cmp-${process.pid}`;
const SSE = `it-backends-sse-${process.pid}`;
const ALL: VariableValue = { values: [], all: true };

type RunName = 'rabbitmq' | 'mqtt' | 'sse';

interface Planned {
  name: RunName;
  run: RunResult;
  /** Run window, epoch ms. */
  fromMs: number;
  toMs: number;
}

const T0 = Math.floor((Date.now() - 10 * 60_000) / 1000) * 1000;
let planned: Planned[] = [];
let time: TimeContext;

function trend(p50: number, p99: number): MetricSummary {
  return { type: 'trend', count: 100, rate: null, avg: p50, min: p50 / 2, p50, p90: p99 * 0.8, p95: p99 * 0.9, p99, max: p99 * 2, value: null };
}

function counter(count: number): MetricSummary {
  return { type: 'counter', count, rate: count / 6, avg: null, min: null, p50: null, p90: null, p95: null, p99: null, max: null, value: count };
}

function server(cpuMsPerOp: number, rssPeakMB: number): TargetResources {
  return {
    samples: 6, cpuMs: 300, ops: 600, cpuMsPerOp, cpuMsPerOpTicks: cpuMsPerOp, rssPeakMB, rssSteadyMB: rssPeakMB - 10,
    rssPerConnectionKB: null, connectionsPeak: null, rssSlopeMBPerMin: null,
  };
}

/** A 6 s run starting `offsetS` after T0. */
function runAt(offsetS: number, patch: Partial<RunResult>): RunResult {
  const base = sampleRun();
  const start = T0 + offsetS * 1000;
  return {
    ...base,
    startedAt: new Date(start).toISOString(),
    finishedAt: new Date(start + 6000).toISOString(),
    durationS: 6,
    valid: true,
    invalidReasons: [],
    thresholds: [],
    ...patch,
  };
}

function brokerRun(backend: 'rabbitmq' | 'mqtt', offsetS: number, e2e: [number, number], serverCpu: number): RunResult {
  return runAt(offsetS, {
    runId: CMP,
    scenario: 'broker/sustained',
    target: 'broker',
    profile: 'sustained',
    repeat: 1,
    load: { unit: 'messages', askedRate: 100, achievedRate: backend === 'rabbitmq' ? 99 : 98, droppedIterations: 0, connections: 4 },
    metrics: { broker_e2e_latency: trend(...e2e), broker_publish_confirm: trend(1, 3), broker_delivered: counter(600) },
    latencyMetric: 'broker_e2e_latency',
    backend: { name: backend, server: server(serverCpu, backend === 'rabbitmq' ? 140 : 12) },
  });
}

function sseRun(offsetS: number): RunResult {
  return runAt(offsetS, {
    runId: SSE,
    metrics: { sse_delivery_latency: trend(3, 12), sse_events: counter(300) },
    latencyMetric: 'sse_delivery_latency',
    backend: null,
  });
}

/** k6's samples of one run in line protocol: the tags `run-scenario.ts` gives k6, k6's own `scenario` on per-VU samples. */
function k6Lines(p: Planned): string[] {
  const { run } = p;
  const esc = (v: string) => v.replace(/[ ,=]/g, '\\$&');
  const tags = (scenario: string) =>
    Object.entries({
      testid: run.runId, scenario, target: run.target, profile: run.profile, git_sha: run.git.sha, branch: run.git.branch,
      ...(run.repeat === null ? {} : { repeat: String(run.repeat) }),
      ...(run.backend ? { backend: run.backend.name } : {}),
    })
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${esc(v)}`)
      .join(',');
  const global = tags(run.scenario);
  const perVu = tags('sustained');
  const own =
    run.target === 'broker'
      ? { latency: ['broker_e2e_latency', 'broker_publish_confirm'], ops: 'broker_delivered', loss: 'broker_lost' }
      : { latency: ['sse_delivery_latency'], ops: 'sse_events', loss: 'sse_gaps' };
  const lines: string[] = [];
  for (let ms = p.fromMs; ms < p.toMs; ms += 500) {
    lines.push(`vus,${global} value=4 ${ms}`, `vus_max,${global} value=4 ${ms}`);
    lines.push(`iterations,${perVu} value=1 ${ms}`, `${own.ops},${perVu} value=10 ${ms}`, `${own.loss},${perVu} value=0 ${ms}`);
    lines.push(`tidemark_errors,${perVu} value=0 ${ms}`);
    for (const m of own.latency) lines.push(`${m},${perVu} value=${2 + (ms % 7)} ${ms}`);
  }
  return lines;
}

async function writeK6(lines: string[]): Promise<void> {
  const res = await fetch(`${influx.url}/write?db=${DB}&precision=ms`, { method: 'POST', body: lines.join('\n') });
  if (res.status !== 204) throw new Error(`k6 samples not written: HTTP ${res.status} ${await res.text()}`);
}

beforeAll(async () => {
  const runs: Array<[RunName, RunResult]> = [
    ['rabbitmq', brokerRun('rabbitmq', 0, [2, 9], 0.05)],
    ['mqtt', brokerRun('mqtt', 30, [1, 4], 0.02)],
    ['sse', sseRun(60)],
  ];
  planned = runs.map(([name, run]) => ({ name, run, fromMs: Date.parse(run.startedAt), toMs: Date.parse(run.finishedAt) }));
  for (const p of planned) {
    const written = await writeRunToInflux(`${influx.url}/${DB}`, p.run, sampleSamples(p.run));
    if (!written.written) throw new Error(`run ${p.name} not written: ${written.warning}`);
  }
  await writeK6(planned.flatMap(k6Lines));
  time = { fromMs: T0 - 10_000, toMs: T0 + 80_000, interval: '1s', intervalMs: 1000 };
}, 60_000);

function dashboard(file: string): Dashboard {
  const entry = DASHBOARDS.find((d) => d.file === file);
  if (!entry) throw new Error(`no dashboard ${file}`);
  return entry.build().build();
}

async function check(file: string, fixed: CheckOptions['fixed']): Promise<DashboardCheck> {
  return checkDashboard(dashboard(file), { url: influx.url, db: DB, time, ...(fixed ? { fixed } : {}) });
}

function panels(c: DashboardCheck): QueryOutcome[] {
  return c.outcomes.filter((o) => !o.location.startsWith('variable'));
}

function isBrokerRow(o: QueryOutcome): boolean {
  return BROKER_BACKEND_PANELS.some((title) => o.location.startsWith(`panel "${title}" `));
}

/** `tidemark_verdict` queries: no gate wrote verdicts here, and verdicts have no backend tag to filter on. */
function isVerdict(o: QueryOutcome): boolean {
  return o.query.includes('"tidemark_verdict"');
}

/** The "Backends compared" table: means over the whole range, so its rows carry the range's start, not a run's time. */
function isAggregate(o: QueryOutcome): boolean {
  return o.location.startsWith(`panel "${BROKER_BACKEND_PANELS[0]}" `);
}

/** Failed queries, and empty ones not allowed to be empty. */
function problems(c: DashboardCheck, mayBeEmpty: (o: QueryOutcome) => boolean): string[] {
  return panels(c)
    .filter((o) => o.error !== null || (o.series < 1 && !mayBeEmpty(o)))
    .map((o) => `${o.location}: ${o.error ?? 'no series'}\n    ${o.query}`);
}

/** The runs whose window holds a row (with a value) of these series; `outside` for rows in no run's window. */
function runsIn(series: readonly InfluxSeries[]): string[] {
  const found = new Set<string>();
  for (const s of series) {
    for (const row of s.values) {
      if (!row.slice(1).some((v) => v !== null)) continue;
      const t = Number(row[0]);
      const p = planned.find((r) => t >= r.fromMs - 2000 && t <= r.toMs + 2000);
      found.add(p ? p.name : 'outside');
    }
  }
  return [...found].sort();
}

/** `location → runs picked up` for every panel query that returned rows of its own runs' times. */
function runsPerPanel(c: DashboardCheck): Record<string, string[]> {
  return Object.fromEntries(panels(c).filter((o) => !isAggregate(o) && o.series > 0).map((o) => [o.location, runsIn(o.result)]));
}

/** A tag's values over the series of an outcome (`''` for a missing tag, as InfluxDB groups it). */
function tagValues(o: QueryOutcome | undefined, tag: string): string[] {
  return [...new Set((o?.result ?? []).map((s) => s.tags?.[tag] ?? ''))].sort();
}

function outcome(c: DashboardCheck, location: string): QueryOutcome | undefined {
  return c.outcomes.find((o) => o.location === location);
}

/** A column's value in the row of the series tagged backend = `backend`. */
function column(o: QueryOutcome | undefined, backend: string, name: string): unknown {
  const s = o?.result.find((x) => x.tags?.backend === backend);
  const i = s?.columns.indexOf(name) ?? -1;
  return i < 0 ? undefined : s?.values[0]?.[i];
}

describe('Run dashboard, broker comparison testid (rabbitmq and mqtt runs)', () => {
  const fixed = { testid: CMP, scenario: 'broker/sustained' };

  it('backend "All": the variable offers both backends; every panel, the broker backend row included, shows both runs', async () => {
    const c = await check('run.json', fixed);
    expect(c.variables.backend).toEqual({ values: ['mqtt', 'rabbitmq'], all: true });
    expect(c.variables.latency_metric?.values).toEqual(['broker_e2e_latency', 'broker_publish_confirm']);
    expect(problems(c, isVerdict)).toEqual([]);
    const perPanel = runsPerPanel(c);
    expect(Object.keys(perPanel).length).toBeGreaterThanOrEqual(15);
    for (const [location, runs] of Object.entries(perPanel)) expect(runs, location).toEqual(['mqtt', 'rabbitmq']);
  });

  it('the "Broker backends" row compares the backends: latency p50/p99, delivered rate, CPU per message of target and server', async () => {
    const c = await check('run.json', fixed);
    const latency = outcome(c, 'panel "Backends compared" A');
    const info = outcome(c, 'panel "Backends compared" B');
    expect(tagValues(latency, 'backend')).toEqual(['mqtt', 'rabbitmq']);
    expect(tagValues(info, 'backend')).toEqual(['mqtt', 'rabbitmq']);
    expect([column(latency, 'rabbitmq', 'e2e_p50_ms'), column(latency, 'rabbitmq', 'e2e_p99_ms')]).toEqual([2, 9]);
    expect([column(latency, 'mqtt', 'e2e_p50_ms'), column(latency, 'mqtt', 'e2e_p99_ms')]).toEqual([1, 4]);
    expect(column(info, 'rabbitmq', 'delivered_per_s')).toBe(99);
    expect(column(info, 'mqtt', 'delivered_per_s')).toBe(98);
    expect(column(info, 'rabbitmq', 'target_cpu_ms_per_msg')).toBe(2.8);
    expect(column(info, 'rabbitmq', 'server_cpu_ms_per_msg')).toBe(0.05);
    expect(column(info, 'mqtt', 'server_cpu_ms_per_msg')).toBe(0.02);
    expect(column(info, 'rabbitmq', 'server_rss_peak_mb')).toBe(140);
    expect(column(info, 'mqtt', 'runs')).toBe(1);
    expect(column(info, 'mqtt', 'valid_runs')).toBe(1);
    // Per-run series: one per backend, each with its run's figures.
    for (const title of BROKER_BACKEND_PANELS.slice(1)) {
      const o = outcome(c, `panel "${title}" A`);
      expect(tagValues(o, 'backend'), title).toEqual(['mqtt', 'rabbitmq']);
      for (const s of o?.result ?? []) expect(runsIn([s]), title).toEqual([s.tags?.backend]);
    }
    const cpu = outcome(c, 'panel "CPU per message per run, by backend" A');
    const mqttCpu = cpu?.result.find((s) => s.tags?.backend === 'mqtt');
    expect(mqttCpu?.columns).toEqual(['time', 'target', 'server']);
    expect(mqttCpu?.values[0]?.slice(1)).toEqual([2.8, 0.02]);
  });

  for (const backend of ['rabbitmq', 'mqtt'] as const) {
    it(`backend ${backend}: every panel shows the ${backend} run only`, async () => {
      const c = await check('run.json', { ...fixed, backend: { values: [backend] } });
      expect(problems(c, isVerdict)).toEqual([]);
      for (const [location, runs] of Object.entries(runsPerPanel(c))) expect(runs, location).toEqual([backend]);
      expect(tagValues(outcome(c, 'panel "Backends compared" A'), 'backend')).toEqual([backend]);
      expect(tagValues(outcome(c, 'panel "Thresholds and validity" A'), 'backend')).toEqual([backend]);
    });
  }

  it('both backends chosen (`(mqtt|rabbitmq)`): both runs', async () => {
    const c = await check('run.json', { ...fixed, backend: { values: ['rabbitmq', 'mqtt'] } });
    expect(problems(c, isVerdict)).toEqual([]);
    for (const [location, runs] of Object.entries(runsPerPanel(c))) expect(runs, location).toEqual(['mqtt', 'rabbitmq']);
  });
});

describe('Run dashboard, SSE run (no backend tag)', () => {
  const fixed = { testid: SSE, scenario: 'sse/sustained' };

  it('backend "All" (no values, `.*`): every panel shows the run; the broker backend row stays empty', async () => {
    const c = await check('run.json', fixed);
    expect(c.variables.backend).toEqual({ values: [], all: true });
    expect(problems(c, (o) => isVerdict(o) || isBrokerRow(o))).toEqual([]);
    expect(panels(c).filter((o) => isBrokerRow(o) && o.series > 0)).toEqual([]);
    for (const [location, runs] of Object.entries(runsPerPanel(c))) expect(runs, location).toEqual(['sse']);
    expect(tagValues(outcome(c, 'panel "Thresholds and validity" A'), 'backend')).toEqual(['']);
  });

  it('a backend chosen: the run without one is left out of every panel', async () => {
    const c = await check('run.json', { ...fixed, backend: { values: ['rabbitmq'] } });
    expect(panels(c).filter((o) => o.error !== null)).toEqual([]);
    expect(panels(c).filter((o) => o.series > 0).map((o) => o.location)).toEqual([]);
  });
});

describe('History dashboard', () => {
  const runsTable = 'panel "Runs" A';

  it('broker/sustained, backend "All": both backends in the variable, every figure and the Runs table (with a backend column)', async () => {
    const c = await check('history.json', { scenario: 'broker/sustained' });
    expect(c.variables.backend).toEqual({ values: ['mqtt', 'rabbitmq'], all: true });
    expect(problems(c, isVerdict)).toEqual([]);
    for (const [location, runs] of Object.entries(runsPerPanel(c))) expect(runs, location).toEqual(['mqtt', 'rabbitmq']);
    expect(tagValues(outcome(c, runsTable), 'backend')).toEqual(['mqtt', 'rabbitmq']);
  });

  it('broker/sustained, backend mqtt: the mqtt run only', async () => {
    const c = await check('history.json', { scenario: 'broker/sustained', backend: { values: ['mqtt'] } });
    expect(problems(c, isVerdict)).toEqual([]);
    for (const [location, runs] of Object.entries(runsPerPanel(c))) expect(runs, location).toEqual(['mqtt']);
  });

  it('sse/sustained: "All" shows the run without a backend; a chosen backend leaves it out', async () => {
    const all = await check('history.json', { scenario: 'sse/sustained' });
    expect(all.variables.backend).toEqual({ values: [], all: true });
    expect(problems(all, isVerdict)).toEqual([]);
    for (const [location, runs] of Object.entries(runsPerPanel(all))) expect(runs, location).toEqual(['sse']);
    const chosen = await check('history.json', { scenario: 'sse/sustained', backend: { values: ['rabbitmq'] } });
    expect(panels(chosen).filter((o) => o.error !== null || (o.series > 0 && !isVerdict(o))).map((o) => o.location)).toEqual([]);
  });
});

describe('the backend filter alone, over all three runs (every other variable "All")', () => {
  const cases: Array<[string, VariableValue, string[]]> = [
    ['All', ALL, ['mqtt', 'rabbitmq', 'sse']],
    ['rabbitmq and mqtt', { values: ['rabbitmq', 'mqtt'] }, ['mqtt', 'rabbitmq']],
    ['rabbitmq', { values: ['rabbitmq'] }, ['rabbitmq']],
    ['mqtt', { values: ['mqtt'] }, ['mqtt']],
  ];
  for (const [label, backend, expected] of cases) {
    it(`backend ${label}: Tidemark points (History) and k6 samples (Run) of ${expected.join(', ')}`, async () => {
      const history = await check('history.json', { scenario: ALL, branch: ALL, backend });
      const perHistoryPanel = runsPerPanel(history);
      expect(perHistoryPanel['panel "Runs" A']).toEqual(expected);
      expect(perHistoryPanel['panel "Throughput" A']).toEqual(expected);
      const run = await check('run.json', { testid: ALL, scenario: ALL, target: ALL, profile: ALL, backend });
      const perRunPanel = runsPerPanel(run);
      expect(perRunPanel['panel "Virtual users" A']).toEqual(expected);
      expect(perRunPanel['panel "Operations per second" A']).toEqual(expected);
      expect(perRunPanel['panel "Target RSS" A']).toEqual(expected);
      expect(perRunPanel['panel "Metric summaries" A']).toEqual(expected);
    });
  }
});
