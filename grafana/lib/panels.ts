/** Panel builders with the defaults the Tidemark dashboards share (sizes, legends, units, links). */
import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog';
import {
  BigValueColorMode,
  BigValueGraphMode,
  GraphDrawStyle,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  SortOrder,
  TooltipDisplayMode,
  VisibilityMode,
  VizLegendOptionsBuilder,
  TableSortByFieldStateBuilder,
  VizTooltipOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import {
  type DashboardLinkBuilder,
  MappingType,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type ValueMapping,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import type { InfluxQueryBuilder } from './influx-query.ts';

/** What every panel states. */
export interface PanelOptions {
  description: string;
  /** One query, or several (refIds A, B, … are assigned in order). */
  queries: InfluxQueryBuilder | readonly InfluxQueryBuilder[];
  /** Grafana unit id (`ms`, `percentunit`, `ops`, `deckbytes`, `short`, …; default none). */
  unit?: string;
  /** Grid width out of 24 (default 12) and height in rows (default 8). */
  span?: number;
  height?: number;
}

/** Options of time series panels. */
export interface TimeseriesOptions extends PanelOptions {
  /** One point per run (history): draw the points and join them (default false: plain lines). */
  perRun?: boolean;
  /** Bars instead of lines, for counts per interval (default false). */
  bars?: boolean;
  min?: number;
}

function targets(queries: InfluxQueryBuilder | readonly InfluxQueryBuilder[]): Array<Builder<Dataquery>> {
  const list = Array.isArray(queries) ? (queries as readonly InfluxQueryBuilder[]) : [queries as InfluxQueryBuilder];
  return list.map((q, i) => q.refId(String.fromCharCode(65 + i)));
}

/** A time series panel with a bottom legend and a multi-series tooltip. */
export function timeseries(title: string, opts: TimeseriesOptions): TimeseriesBuilder {
  const p = new TimeseriesBuilder()
    .title(title)
    .description(opts.description)
    .targets(targets(opts.queries))
    .span(opts.span ?? 12)
    .height(opts.height ?? 8)
    .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom))
    .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending))
    .drawStyle(opts.bars ? GraphDrawStyle.Bars : GraphDrawStyle.Line)
    .showPoints(opts.perRun ? VisibilityMode.Always : VisibilityMode.Never)
    .pointSize(opts.perRun ? 6 : 4)
    .lineWidth(1)
    .fillOpacity(opts.bars ? 60 : 10)
    .spanNulls(opts.perRun ?? false);
  if (opts.unit) p.unit(opts.unit);
  if (opts.min !== undefined) p.min(opts.min);
  return p;
}

/** Options of table panels. */
export interface TableOptions extends PanelOptions {
  /** Data links per column name (for example `testid` → the Run dashboard). */
  links?: Readonly<Record<string, readonly DashboardLinkBuilder[]>>;
  /** Columns to hide (helper columns such as `window_ms`). */
  hide?: readonly string[];
  /** Text colours per value of a column (for example `verdict`: regression → red). */
  colours?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Sort rows by the `Time` column, newest first (default false: query order). */
  newestFirst?: boolean;
  /**
   * Several queries into one table (Grafana's "merge" transformation): rows whose shared columns (`Time` and
   * the GROUP BY tags) are equal become one row. Default false: one table per query.
   */
  merge?: boolean;
}

/** Value mappings that colour each listed value. */
export function colourMappings(colours: Readonly<Record<string, string>>): ValueMapping[] {
  return [
    {
      type: MappingType.ValueToText,
      options: Object.fromEntries(Object.entries(colours).map(([value, color], index) => [value, { color, index }])),
    },
  ];
}

/** A table panel; tag columns come from the queries' GROUP BY. */
export function table(title: string, opts: TableOptions): TableBuilder {
  const p = new TableBuilder()
    .title(title)
    .description(opts.description)
    .targets(targets(opts.queries))
    .span(opts.span ?? 24)
    .height(opts.height ?? 8);
  if (opts.unit) p.unit(opts.unit);
  if (opts.newestFirst) p.sortBy([new TableSortByFieldStateBuilder().displayName('Time').desc(true)]);
  if (opts.merge) p.withTransformation({ id: 'merge', options: {} });
  for (const [column, links] of Object.entries(opts.links ?? {})) {
    p.overrideByName(column, [{ id: 'links', value: links.map((l) => l.build()) }]);
  }
  for (const column of opts.hide ?? []) {
    p.overrideByName(column, [{ id: 'custom.hidden', value: true }]);
  }
  for (const [column, colours] of Object.entries(opts.colours ?? {})) {
    p.overrideByName(column, [
      { id: 'mappings', value: colourMappings(colours) },
      { id: 'custom.cellOptions', value: { type: 'color-text' } },
    ]);
  }
  return p;
}

/** Options of stat panels. */
export interface StatOptions extends PanelOptions {
  /** Background colour steps: `[[null, 'green'], [1, 'red']]` means red from 1 up. */
  steps: ReadonlyArray<readonly [number | null, string]>;
  /** Reduce each series with this calculation (default `lastNotNull`). */
  calc?: string;
}

/** A stat panel per series, coloured by thresholds, with a sparkline. */
export function stat(title: string, opts: StatOptions): StatBuilder {
  const p = new StatBuilder()
    .title(title)
    .description(opts.description)
    .targets(targets(opts.queries))
    .span(opts.span ?? 12)
    .height(opts.height ?? 6)
    .graphMode(BigValueGraphMode.Area)
    .colorMode(BigValueColorMode.Background)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs([opts.calc ?? 'lastNotNull']).values(false))
    .thresholds(
      new ThresholdsConfigBuilder()
        .mode(ThresholdsMode.Absolute)
        .steps(opts.steps.map(([value, color]) => ({ value, color }))),
    );
  if (opts.unit) p.unit(opts.unit);
  return p;
}
