/**
 * Tidemark / Run: what one run looked like inside. Pick a `testid` (a run id; a gate's runs share one) and
 * one of its scenarios: load, operation rates, latency percentiles of every protocol metric the run wrote,
 * errors and losses, the target's CPU and memory, and the run's thresholds, validity and gate verdicts.
 */
import { DashboardBuilder, DashboardCursorSync, RowBuilder, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';
import { metricsOf } from '../metrics.ts';
import { influx } from '../lib/influx-query.ts';
import { DASHBOARD_TAG, DASHBOARD_UID, tidemarkDashboardsLink } from '../lib/links.ts';
import { table, timeseries } from '../lib/panels.ts';
import {
  BY_INTERVAL,
  HARNESS_RUN,
  K6_RUN,
  PER_SECOND,
  exactly,
  ident,
  measurementOf,
  percentiles,
  select,
  showMeasurements,
  showTagValues,
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
      queryVariable('latency_metric', showMeasurements(metricsOf('latency'), K6_RUN), {
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
          'Per run (repeat): k6 thresholds failed, validity (1 valid, 0 invalid: dropped iterations, rate short, target died, errors over budget) and the run figures. The run result JSON lists each threshold.',
        queries: influx(
          select({
            select:
              'last("thresholds_failed") AS "thresholds_failed", "valid", "error_rate", "dropped_iterations", "asked_rate", "achieved_rate", "cpu_ms_per_op", "rss_per_connection_kb", "rss_peak_mb", "duration_s"',
            from: 'tidemark_run_info',
            where: HARNESS_RUN,
            groupBy: '"repeat"',
          }),
        ).format('table'),
        height: 6,
        colours: { valid: { '1': 'green', '0': 'red' }, thresholds_failed: { '0': 'green' } },
      }),
    )
    .withPanel(
      table('Gate verdicts', {
        description: 'When this testid is a gate run (`npm run gate -- --influx …`): each gated figure against its baseline.',
        queries: influx(
          select({
            select: 'last("change_pct") AS "change_pct", "ci_low_pct", "ci_high_pct", "p_adjusted", "margin_pct", "baseline", "current"',
            from: 'tidemark_verdict',
            where: [...HARNESS_RUN, tagNotEquals('metric', '_scenario')],
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
            groupBy: '"metric", "repeat"',
          }),
        ).format('table'),
        height: 10,
      }),
    );
}

/** The Run dashboard (uid `tidemark-run`). */
export function runDashboard(): DashboardBuilder {
  const d = new DashboardBuilder('Tidemark / Run')
    .uid(DASHBOARD_UID.run)
    .description('One run (testid) inside: load, rates, latency percentiles, errors and losses, target CPU and RSS, thresholds.')
    .tags([DASHBOARD_TAG])
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .tooltip(DashboardCursorSync.Crosshair)
    .link(tidemarkDashboardsLink());
  return results(resources(errors(latency(load(variables(d))))));
}
