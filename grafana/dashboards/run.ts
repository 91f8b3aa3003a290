/**
 * Tidemark / Run: what one run looked like inside. Pick a `testid` (a run id; a gate's runs share one) and
 * one of its scenarios, and for broker runs the backends: load, operation rates, latency percentiles of every
 * protocol metric the run wrote, errors and losses, the target's CPU and memory, the run's thresholds,
 * validity and gate verdicts, and (collapsed) the broker backends side by side.
 */
import { DashboardBuilder, DashboardCursorSync, RowBuilder, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';
import { metricsOf } from '../metrics.ts';
import { influx } from '../lib/influx-query.ts';
import { DASHBOARD_TAG, DASHBOARD_UID, tidemarkDashboardsLink } from '../lib/links.ts';
import { table, timeseries } from '../lib/panels.ts';
import {
  BY_INTERVAL,
  GATE_RUN,
  HARNESS_RUN,
  HAS_BACKEND,
  K6_RUN,
  K6_RUN_ANY_BACKEND,
  PER_SECOND,
  exactly,
  ident,
  measurementOf,
  percentiles,
  select,
  showMeasurements,
  showTagValues,
  tagEquals,
  tagIs,
  tagNotEquals,
} from '../lib/queries.ts';
import { queryVariable } from '../lib/variables.ts';

/**
 * A k6 gauge (`vus`, `vus_max`) summed over the k6 processes of a segmented run (`instance` tag; one group
 * when there is none): each process's largest value per interval, added up.
 */
function gaugeAcrossInstances(measurement: string) {
  const perInstance = select({ select: 'max("value") AS "value"', from: measurement, where: K6_RUN, groupBy: `time($__interval), "instance"` });
  return influx(select({ select: `sum("value") AS ${ident(measurement)}`, from: `(${perInstance})`, timeFilter: false, groupBy: BY_INTERVAL })).alias('$col');
}

const VERDICT_COLOURS = { regression: 'red', improvement: 'green', unchanged: 'text', insufficient: 'orange' } as const;

function variables(d: DashboardBuilder): DashboardBuilder {
  return d
    .withVariable(
      queryVariable('testid', showTagValues('vus', 'testid'), {
        label: 'Run (testid)',
        sort: VariableSort.AlphabeticalDesc,
        description: 'Run id: the `testid` tag of k6 samples and Tidemark points. Newest first.',
      }),
    )
    .withVariable(queryVariable('scenario', showTagValues('vus', 'scenario', [tagIs('testid')]), { label: 'Scenario' }))
    .withVariable(
      queryVariable('target', showTagValues('vus', 'target', [tagIs('testid'), tagIs('scenario')]), { label: 'Target', hidden: true }),
    )
    .withVariable(
      queryVariable('profile', showTagValues('vus', 'profile', [tagIs('testid'), tagIs('scenario')]), { label: 'Profile', hidden: true }),
    )
    .withVariable(
      queryVariable('backend', showTagValues('vus', 'backend', [tagIs('testid'), tagIs('scenario')]), {
        label: 'Backend',
        multi: true,
        description:
          'Broker backend (`backend` tag of broker runs made with `--backend`). "All" also keeps runs without a backend (every other target); choosing backends leaves those out.',
      }),
    )
    .withVariable(
      // Not filtered by backend: SHOW MEASUREMENTS drops measurements that have no backend tag at all.
      queryVariable('latency_metric', showMeasurements(metricsOf('latency'), K6_RUN_ANY_BACKEND), {
        label: 'Latency metrics',
        multi: true,
        description: 'The protocol latency metrics (grafana/metrics.ts) this run wrote; one panel each.',
      }),
    );
}

function load(d: DashboardBuilder): DashboardBuilder {
  return d
    .withRow(new RowBuilder('Load'))
    .withPanel(
      timeseries('Virtual users', {
        description: 'k6 `vus` (active) and `vus_max` (allocated): the largest value in each interval, added up over the k6 processes of a segmented run.',
        queries: [gaugeAcrossInstances('vus'), gaugeAcrossInstances('vus_max')],
        unit: 'short',
        min: 0,
      }),
    )
    .withPanel(
      timeseries('Operations per second', {
        description: 'k6 counters of operations (grafana/metrics.ts `operations`, plus `iterations` and `http_reqs`), per second.',
        queries: influx(
          select({ select: `${PER_SECOND} AS "per_s"`, from: exactly(metricsOf('operations')), where: K6_RUN, groupBy: BY_INTERVAL }),
        ).alias('$m'),
        unit: 'ops',
        min: 0,
      }),
    );
}

function latency(d: DashboardBuilder): DashboardBuilder {
  return d.withRow(new RowBuilder('Latency')).withPanel(
    timeseries('${latency_metric}', {
      description: 'Percentiles of the metric over each interval (k6 Trend samples, ms). One panel per latency metric of the run.',
      queries: influx(
        select({
          select: `${percentiles([50, 90, 95, 99])}, max("value") AS "max"`,
          from: measurementOf('latency_metric'),
          where: K6_RUN,
          groupBy: BY_INTERVAL,
        }),
      ).alias('$col'),
      unit: 'ms',
      min: 0,
    })
      .repeat('latency_metric')
      .repeatDirection('h')
      .maxPerRow(2),
  );
}

function errors(d: DashboardBuilder): DashboardBuilder {
  return d
    .withRow(new RowBuilder('Errors and losses'))
    .withPanel(
      timeseries('Error share', {
        description: 'k6 Rate metrics of failed operations (grafana/metrics.ts `errors`): share of failures per interval.',
        queries: influx(select({ select: 'mean("value") AS "share"', from: exactly(metricsOf('errors')), where: K6_RUN, groupBy: BY_INTERVAL })).alias('$m'),
        unit: 'percentunit',
        min: 0,
      }),
    )
    .withPanel(
      timeseries('Losses per interval', {
        description: 'Operations lost (grafana/metrics.ts `losses`: gaps, duplicates, dropped iterations). Should stay at 0.',
        queries: influx(select({ select: 'sum("value") AS "lost"', from: exactly(metricsOf('losses')), where: K6_RUN, groupBy: BY_INTERVAL })).alias('$m'),
        unit: 'short',
        bars: true,
        min: 0,
      }),
    );
}

function resources(d: DashboardBuilder): DashboardBuilder {
  const res = (selectList: string) =>
    influx(select({ select: selectList, from: 'tidemark_resources', where: HARNESS_RUN, groupBy: BY_INTERVAL })).alias('$col');
  return d
    .withRow(new RowBuilder('Target resources'))
    .withPanel(
      timeseries('Target CPU', {
        description: 'CPU time of the target process per second of wall time, in % of one core (`tidemark_resources.cpu_ms`).',
        queries: res('non_negative_derivative(max("cpu_ms"), 1s) / 10 AS "cpu"'),
        unit: 'percent',
        min: 0,
      }),
    )
    .withPanel(
      timeseries('Target RSS', {
        description: 'Resident memory of the target process (`tidemark_resources.rss_kb`).',
        queries: res('max("rss_kb") AS "rss"'),
        unit: 'deckbytes',
        min: 0,
      }),
    )
    .withPanel(
      timeseries('Target connections', {
        description: 'Open connections or sessions the target reports (`/stats`).',
        queries: res('max("connections") AS "connections"'),
        unit: 'short',
        min: 0,
      }),
    )
    .withPanel(
      timeseries('Target operations per second', {
        description: 'Operations the target counted (its unit of work, such as SSE events written), per second.',
        queries: res('non_negative_derivative(max("ops"), 1s) AS "ops"'),
        unit: 'ops',
        min: 0,
      }),
    );
}

function results(d: DashboardBuilder): DashboardBuilder {
  return d
    .withRow(new RowBuilder('Results'))
    .withPanel(
      table('Thresholds and validity', {
        description:
          'Per run (repeat, backend): k6 thresholds failed, validity (1 valid, 0 invalid: dropped iterations, rate short, target died, errors over budget) and the run figures. The run result JSON lists each threshold.',
        queries: influx(
          select({
            select:
              'last("thresholds_failed") AS "thresholds_failed", "valid", "error_rate", "dropped_iterations", "asked_rate", "achieved_rate", "cpu_ms_per_op", "rss_per_connection_kb", "rss_peak_mb", "backend_cpu_ms_per_op", "backend_rss_peak_mb", "duration_s"',
            from: 'tidemark_run_info',
            where: HARNESS_RUN,
            groupBy: '"repeat", "backend"',
          }),
        ).format('table'),
        height: 6,
        colours: { valid: { '1': 'green', '0': 'red' }, thresholds_failed: { '0': 'green' } },
      }),
    )
    .withPanel(
      table('Gate verdicts', {
        description:
          'When this testid is a gate run (`npm run gate -- --influx …`): each gated figure against its baseline. Verdicts carry no backend tag: the Backend selection does not filter them.',
        queries: influx(
          select({
            select: 'last("change_pct") AS "change_pct", "ci_low_pct", "ci_high_pct", "p_adjusted", "margin_pct", "baseline", "current"',
            from: 'tidemark_verdict',
            where: [...GATE_RUN, tagNotEquals('metric', '_scenario')],
            groupBy: '"metric", "verdict"',
          }),
        ).format('table'),
        height: 7,
        colours: { verdict: VERDICT_COLOURS },
      }),
    )
    .withPanel(
      table('Metric summaries', {
        description: 'k6 summary figures per metric (`tidemark_run`), as the run result JSON has them.',
        queries: influx(
          select({
            select: 'last("count") AS "count", "rate", "avg", "p50", "p90", "p95", "p99", "max", "value"',
            from: 'tidemark_run',
            where: HARNESS_RUN,
            groupBy: '"metric", "repeat", "backend"',
          }),
        ).format('table'),
        height: 10,
      }),
    );
}

/** The broker backend comparison's points: this testid and scenario, runs made with one of the chosen backends. */
const BROKER_BACKEND_RUNS: readonly string[] = [...HARNESS_RUN, HAS_BACKEND];

/** `tidemark_run`'s end-to-end broker latency summary. */
const E2E_LATENCY = tagEquals('metric', 'broker_e2e_latency');

/** Titles of the panels in the "Broker backends" row: they stay empty for runs without a backend. */
export const BROKER_BACKEND_PANELS = [
  'Backends compared',
  'End-to-end latency per run, by backend',
  'Delivered per second per run, by backend',
  'CPU per message per run, by backend',
] as const;

/**
 * A collapsed row comparing the broker backends of this testid and scenario (`npm run scenario --
 * broker/<profile> --backend a,b,…` runs them all under one testid), from Tidemark's own points grouped by the
 * `backend` tag. Runs without a backend are left out, so the row is empty for other targets.
 */
function brokerBackends(d: DashboardBuilder): DashboardBuilder {
  const [compared, latencyPerRun, deliveredPerRun, cpuPerRun] = BROKER_BACKEND_PANELS;
  const perRun = (selectList: string, from: string, where: readonly string[] = BROKER_BACKEND_RUNS) =>
    influx(select({ select: selectList, from, where, groupBy: '"backend"' })).alias('$tag_backend $col');
  const row = new RowBuilder('Broker backends')
    .collapsed(true)
    .withPanel(
      table(compared, {
        description:
          'One row per backend: means over the runs in the time range (repeats, and the feature variants of a backend comparison, which carry no tag of their own). End-to-end latency p50/p99 (`tidemark_run`, metric `broker_e2e_latency`), deliveries per second (`achieved_rate`), CPU time per message of the broker target (`cpu_ms_per_op`) and of the backend server process (`backend_cpu_ms_per_op`: the RabbitMQ node or Mosquitto), and the peak RSS of the server. `results/<testid>/backends.json` has the intervals.',
        queries: [
          influx(
            select({
              select: 'mean("p50") AS "e2e_p50_ms", mean("p99") AS "e2e_p99_ms"',
              from: 'tidemark_run',
              where: [...BROKER_BACKEND_RUNS, E2E_LATENCY],
              groupBy: '"backend"',
            }),
          ).format('table'),
          influx(
            select({
              select:
                'count("valid") AS "runs", sum("valid") AS "valid_runs", mean("achieved_rate") AS "delivered_per_s", mean("cpu_ms_per_op") AS "target_cpu_ms_per_msg", mean("backend_cpu_ms_per_op") AS "server_cpu_ms_per_msg", mean("backend_rss_peak_mb") AS "server_rss_peak_mb"',
              from: 'tidemark_run_info',
              where: BROKER_BACKEND_RUNS,
              groupBy: '"backend"',
            }),
          ).format('table'),
        ],
        height: 6,
        merge: true,
        hide: ['Time'],
      }),
    )
    .withPanel(
      timeseries(latencyPerRun, {
        description: 'End-to-end latency p50 and p99 of each run (`tidemark_run`, metric `broker_e2e_latency`), one series per backend.',
        queries: perRun('"p50", "p99"', 'tidemark_run', [...BROKER_BACKEND_RUNS, E2E_LATENCY]),
        unit: 'ms',
        perRun: true,
        span: 8,
      }),
    )
    .withPanel(
      timeseries(deliveredPerRun, {
        description: 'Deliveries per second each run achieved (`tidemark_run_info.achieved_rate`) and asked for, one series per backend.',
        queries: perRun('"achieved_rate" AS "delivered", "asked_rate" AS "asked"', 'tidemark_run_info'),
        unit: 'ops',
        perRun: true,
        span: 8,
      }),
    )
    .withPanel(
      timeseries(cpuPerRun, {
        description:
          'CPU time per message of each run: the broker target (`cpu_ms_per_op`) and the backend server process (`backend_cpu_ms_per_op`; none for the in-memory backend), one series per backend.',
        queries: perRun('"cpu_ms_per_op" AS "target", "backend_cpu_ms_per_op" AS "server"', 'tidemark_run_info'),
        unit: 'ms',
        perRun: true,
        span: 8,
      }),
    );
  return d.withRow(row);
}

/** The Run dashboard (uid `tidemark-run`). */
export function runDashboard(): DashboardBuilder {
  const d = new DashboardBuilder('Tidemark / Run')
    .uid(DASHBOARD_UID.run)
    .description('One run (testid) inside: load, rates, latency percentiles, errors and losses, target CPU and RSS, thresholds, broker backends.')
    .tags([DASHBOARD_TAG])
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .tooltip(DashboardCursorSync.Crosshair)
    .link(tidemarkDashboardsLink());
  return brokerBackends(results(resources(errors(latency(load(variables(d)))))));
}
