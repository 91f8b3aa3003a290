/**
 * Tidemark / Overview: every scenario at a glance. Latest gate verdict and latest run per scenario (each
 * row links to the scenario's History and the run), regressions in the time range, and trends of headline
 * latency, throughput and CPU per operation for all scenarios on the chosen branches.
 */
import { DashboardBuilder, DashboardCursorSync, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { metricsOf } from '../metrics.ts';
import { influx } from '../lib/influx-query.ts';
import { DASHBOARD_TAG, DASHBOARD_UID, historyDataLink, runDataLink, tidemarkDashboardsLink } from '../lib/links.ts';
import { stat, table, timeseries } from '../lib/panels.ts';
import { ALL_SCENARIOS, exactly, ident, select, showTagValues, tagEquals } from '../lib/queries.ts';
import { queryVariable } from '../lib/variables.ts';

const SCENARIO_POINT = tagEquals('metric', '_scenario');
/** Per scenario, bucketed by Grafana's interval. */
const BY_SCENARIO = 'time($__interval), "scenario" fill(none)';
/** Run dashboard window for a gate verdict row: two hours centred on the gate's finish. */
const GATE_WINDOW_MS = String(2 * 3600_000);

function variables(d: DashboardBuilder): DashboardBuilder {
  return d.withVariable(
    queryVariable('branch', showTagValues('tidemark_run_info', 'branch'), {
      label: 'Branch',
      multi: true,
      description: 'Git branch the runs were made on.',
    }),
  );
}

function latest(d: DashboardBuilder): DashboardBuilder {
  const innerRuns = select({
    select:
      '"duration_s" * 2000 + 20000 AS "window_ms", "achieved_rate", "asked_rate", "cpu_ms_per_op", "rss_per_connection_kb", "error_rate", "valid", "thresholds_failed", "testid", "git_sha"',
    from: 'tidemark_run_info',
    where: ALL_SCENARIOS,
    groupBy: '"scenario"',
  });
  return d
    .withRow(new RowBuilder('Latest'))
    .withPanel(
      stat('Regressions in range', {
        description: 'Gate runs that found a regression, per scenario, over the time range (0 is green).',
        queries: influx(
          select({ select: 'sum("regression") AS "regressions"', from: 'tidemark_verdict', where: [...ALL_SCENARIOS, SCENARIO_POINT], groupBy: BY_SCENARIO }),
        ).alias('$tag_scenario'),
        steps: [
          [null, 'green'],
          [1, 'red'],
        ],
        calc: 'sum',
        span: 24,
        height: 5,
      }),
    )
    .withPanel(
      table('Latest gate verdict per scenario', {
        description: 'The newest gate verdict of each scenario in the range. Click a scenario for its History, a testid for the gate run.',
        queries: influx(
          select({
            select: 'last("regression") AS "regression", "slo_failures", "verdict", "testid", "git_sha"',
            from: 'tidemark_verdict',
            where: [...ALL_SCENARIOS, SCENARIO_POINT],
            groupBy: '"scenario"',
          }),
        ).format('table'),
        span: 12,
        links: { scenario: [historyDataLink()], testid: [runDataLink('${__data.fields.scenario}', GATE_WINDOW_MS)] },
        hide: ['regression'],
        colours: { verdict: { pass: 'green', regression: 'red', invalid: 'orange' } },
      }),
    )
    .withPanel(
      table('Latest run per scenario', {
        description: 'The newest run of each scenario in the range. Click a scenario for its History, a testid for the run.',
        queries: influx(
          select({
            select:
              'last("window_ms") AS "window_ms", "achieved_rate", "asked_rate", "cpu_ms_per_op", "rss_per_connection_kb", "error_rate", "valid", "thresholds_failed", "testid", "git_sha"',
            from: `(${innerRuns})`,
            timeFilter: false,
            groupBy: '"scenario"',
          }),
        ).format('table'),
        span: 12,
        links: { scenario: [historyDataLink()], testid: [runDataLink('${__data.fields.scenario}')] },
        hide: ['window_ms'],
        colours: { valid: { '1': 'green', '0': 'red' } },
      }),
    );
}

function trends(d: DashboardBuilder): DashboardBuilder {
  return d
    .withRow(new RowBuilder('Trends'))
    .withPanel(
      timeseries('Headline latency p95', {
        description: 'p95 of each scenario\'s gated latency metric (grafana/metrics.ts `headline`), valid runs.',
        queries: influx(
          select({
            select: 'mean("p95") AS "p95"',
            from: 'tidemark_run',
            where: [...ALL_SCENARIOS, `${ident('metric')} =~ ${exactly(metricsOf('headline'))}`, tagEquals('valid', 'true')],
            groupBy: `time($__interval), "scenario", "metric" fill(none)`,
          }),
        ).alias('$tag_scenario $tag_metric'),
        unit: 'ms',
        perRun: true,
      }),
    )
    .withPanel(
      timeseries('Gate change of latency p95', {
        description: 'Gated latency p95 against the baseline, % (positive is slower).',
        queries: influx(
          select({
            select: 'max("change_pct") AS "change_pct"',
            from: 'tidemark_verdict',
            where: [...ALL_SCENARIOS, tagEquals('metric', 'latency_p95')],
            groupBy: BY_SCENARIO,
          }),
        ).alias('$tag_scenario'),
        unit: 'percent',
        perRun: true,
      }),
    )
    .withPanel(
      timeseries('Throughput achieved / asked', {
        description: 'Achieved operation rate as a share of the rate asked for, per scenario (100% is on target).',
        queries: influx(
          select({
            select: 'mean("achieved_rate") / mean("asked_rate") * 100 AS "achieved_pct"',
            from: 'tidemark_run_info',
            where: ALL_SCENARIOS,
            groupBy: BY_SCENARIO,
          }),
        ).alias('$tag_scenario'),
        unit: 'percent',
        perRun: true,
      }),
    )
    .withPanel(
      timeseries('Target CPU per operation', {
        description: 'Target CPU time per operation, per scenario.',
        queries: influx(
          select({
            select: 'mean("cpu_ms_per_op") AS "cpu_ms_per_op"',
            from: 'tidemark_run_info',
            where: ALL_SCENARIOS,
            groupBy: BY_SCENARIO,
          }),
        ).alias('$tag_scenario'),
        unit: 'ms',
        perRun: true,
      }),
    );
}

/** The Overview dashboard (uid `tidemark-overview`). */
export function overviewDashboard(): DashboardBuilder {
  const d = new DashboardBuilder('Tidemark / Overview')
    .uid(DASHBOARD_UID.overview)
    .description('Every scenario at a glance: latest verdict, latest run, regressions and trends.')
    .tags([DASHBOARD_TAG])
    .time({ from: 'now-30d', to: 'now' })
    .timezone('browser')
    .tooltip(DashboardCursorSync.Crosshair)
    .link(tidemarkDashboardsLink());
  return trends(latest(variables(d)));
}
