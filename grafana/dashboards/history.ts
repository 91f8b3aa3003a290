/**
 * Tidemark / History: one scenario across runs and commits on the chosen branches (for broker runs, also
 * the chosen backends). Protocol latency p95, throughput, target CPU per operation, RSS per connection and
 * gate verdicts, one point per run; regressions as annotations; a table of runs whose testid opens the Run
 * dashboard.
 */
import { AnnotationQueryBuilder, DashboardBuilder, DashboardCursorSync, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { metricsOf } from '../metrics.ts';
import { INFLUX_DATASOURCE, influx } from '../lib/influx-query.ts';
import { DASHBOARD_TAG, DASHBOARD_UID, runDataLink, tidemarkDashboardsLink } from '../lib/links.ts';
import { table, timeseries } from '../lib/panels.ts';
import { SCENARIO_HISTORY, SCENARIO_VERDICTS, exactly, ident, select, showTagValues, tagEquals, tagIs, tagNotEquals } from '../lib/queries.ts';
import { queryVariable } from '../lib/variables.ts';

/** Run dashboard window for a verdict row: two hours centred on the gate's finish, whose runs precede it. */
const GATE_WINDOW_MS = String(2 * 3600_000);

/** Fields of `tidemark_run_info` one point per run, as a per-run series. */
function runInfo(selectList: string) {
  return influx(select({ select: selectList, from: 'tidemark_run_info', where: SCENARIO_HISTORY })).alias('$col');
}

function variables(d: DashboardBuilder): DashboardBuilder {
  return d
    .withVariable(queryVariable('scenario', showTagValues('tidemark_run_info', 'scenario'), { label: 'Scenario' }))
    .withVariable(
      queryVariable('branch', showTagValues('tidemark_run_info', 'branch'), {
        label: 'Branch',
        multi: true,
        description: 'Git branch the runs were made on (`unknown` outside a git checkout).',
      }),
    )
    .withVariable(
      queryVariable('backend', showTagValues('tidemark_run_info', 'backend', [tagIs('scenario'), tagIs('branch')]), {
        label: 'Backend',
        multi: true,
        description:
          'Broker backend (`backend` tag of broker runs made with `--backend`). "All" also keeps runs without a backend (every other target); choosing backends leaves those out. Gate verdicts carry no backend and are not filtered.',
      }),
    );
}

function regressions(d: DashboardBuilder): DashboardBuilder {
  const query = select({
    select: '"regression", "change_pct", "metric", "testid", "git_sha"',
    from: 'tidemark_verdict',
    where: [`${ident('regression')} = 1`, ...SCENARIO_VERDICTS],
  });
  return d.annotation(
    new AnnotationQueryBuilder()
      .name('Regressions')
      .datasource({ ...INFLUX_DATASOURCE })
      .enable(true)
      .iconColor('red')
      .target(influx(query).format('table').refId('Regressions').annotationColumns({ title: 'metric', text: 'change_pct', tags: ['testid', 'git_sha'] })),
  );
}

function figures(d: DashboardBuilder): DashboardBuilder {
  return d
    .withRow(new RowBuilder('Figures per run'))
    .withPanel(
      timeseries('Protocol latency p95', {
        description: 'p95 of each protocol latency metric (grafana/metrics.ts) per valid run (`tidemark_run`).',
        queries: influx(
          select({
            select: '"p95"',
            from: 'tidemark_run',
            where: [...SCENARIO_HISTORY, `${ident('metric')} =~ ${exactly(metricsOf('latency'))}`, tagEquals('valid', 'true')],
            groupBy: '"metric"',
          }),
        ).alias('$tag_metric'),
        unit: 'ms',
        perRun: true,
      }),
    )
    .withPanel(
      timeseries('Throughput', {
        description: 'Operations per second achieved and asked for, per run (`tidemark_run_info`).',
        queries: runInfo('"achieved_rate" AS "achieved", "asked_rate" AS "asked"'),
        unit: 'ops',
        perRun: true,
      }),
    )
    .withPanel(
      timeseries('Target CPU per operation', {
        description: 'Target CPU time per operation, per run.',
        queries: runInfo('"cpu_ms_per_op"'),
        unit: 'ms',
        perRun: true,
      }),
    )
    .withPanel(
      timeseries('RSS per connection', {
        description: 'Target RSS growth per connection held, per run (scenarios whose unit is the connection).',
        queries: runInfo('"rss_per_connection_kb"'),
        unit: 'deckbytes',
        perRun: true,
      }),
    )
    .withPanel(
      timeseries('Target RSS', {
        description: 'Target resident memory at steady state and at its peak, per run.',
        queries: runInfo('"rss_steady_mb" AS "steady", "rss_peak_mb" AS "peak"'),
        unit: 'decmbytes',
        perRun: true,
      }),
    )
    .withPanel(
      timeseries('Error share', {
        description: 'Share of failed operations per run (0..1).',
        queries: runInfo('"error_rate"'),
        unit: 'percentunit',
        perRun: true,
      }),
    );
}

function verdicts(d: DashboardBuilder): DashboardBuilder {
  const notScenario = tagNotEquals('metric', '_scenario');
  return d
    .withRow(new RowBuilder('Gate verdicts'))
    .withPanel(
      timeseries('Change against baseline', {
        description: 'Each gated figure against its baseline (or A in a paired gate), % (`tidemark_verdict.change_pct`).',
        queries: influx(
          select({ select: '"change_pct"', from: 'tidemark_verdict', where: [...SCENARIO_VERDICTS, notScenario], groupBy: '"metric"' }),
        ).alias('$tag_metric'),
        unit: 'percent',
        perRun: true,
      }),
    )
    .withPanel(
      table('Verdicts', {
        description: 'Per gate run and gated figure: change, 95% interval, Holm-adjusted p-value and verdict.',
        queries: influx(
          select({
            select: 'last("change_pct") AS "change_pct", "ci_low_pct", "ci_high_pct", "p_adjusted", "margin_pct", "git_sha"',
            from: 'tidemark_verdict',
            where: [...SCENARIO_VERDICTS, notScenario],
            groupBy: '"testid", "metric", "verdict"',
          }),
        ).format('table'),
        span: 12,
        newestFirst: true,
        links: { testid: [runDataLink('${scenario}', GATE_WINDOW_MS)] },
        colours: { verdict: { regression: 'red', improvement: 'green', unchanged: 'text', undecided: 'yellow', advisory: 'blue', insufficient: 'orange' } },
      }),
    );
}

function runs(d: DashboardBuilder): DashboardBuilder {
  // The subquery computes each run's window for the link: twice its duration plus 20 s, centred on its finish.
  const inner = select({
    select:
      '"duration_s" * 2000 + 20000 AS "window_ms", "achieved_rate", "cpu_ms_per_op", "rss_per_connection_kb", "error_rate", "valid", "thresholds_failed"',
    from: 'tidemark_run_info',
    where: SCENARIO_HISTORY,
    groupBy: '"testid", "repeat", "backend", "git_sha"',
  });
  const query = select({
    select:
      'last("window_ms") AS "window_ms", "achieved_rate", "cpu_ms_per_op", "rss_per_connection_kb", "error_rate", "valid", "thresholds_failed"',
    from: `(${inner})`,
    timeFilter: false,
    groupBy: '"testid", "repeat", "backend", "git_sha"',
  });
  return d.withRow(new RowBuilder('Runs')).withPanel(
    table('Runs', {
      description: 'Every run of the scenario in the time range, one row per testid, repeat and backend. Click a testid to open it in the Run dashboard.',
      queries: influx(query).format('table'),
      height: 10,
      newestFirst: true,
      hide: ['window_ms'],
      links: { testid: [runDataLink('${scenario}')] },
      colours: { valid: { '1': 'green', '0': 'red' } },
    }),
  );
}

/** The History dashboard (uid `tidemark-history`). */
export function historyDashboard(): DashboardBuilder {
  const d = new DashboardBuilder('Tidemark / History')
    .uid(DASHBOARD_UID.history)
    .description('One scenario across runs and commits (and broker backends): latency, throughput, CPU per operation, RSS per connection, verdicts.')
    .tags([DASHBOARD_TAG])
    .time({ from: 'now-30d', to: 'now' })
    .timezone('browser')
    .tooltip(DashboardCursorSync.Crosshair)
    .link(tidemarkDashboardsLink());
  return runs(verdicts(figures(regressions(variables(d)))));
}
