/**
 * A raw InfluxQL query for Grafana's InfluxDB data source. The foundation SDK ships no InfluxDB query type,
 * so this is one in the SDK's own custom-query pattern (a `Dataquery` variant plus its builder).
 */
import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';

/** The InfluxDB 1.x data source every dashboard queries; `grafana/provisioning/datasources/` creates it. */
export const INFLUX_DATASOURCE: Readonly<Required<DataSourceRef>> = { type: 'influxdb', uid: 'tidemark-influxdb' };

/** How Grafana shapes the result: one frame per series, or one table of rows (tags become columns). */
export type ResultFormat = 'time_series' | 'table';

/** The fields of Grafana's InfluxDB (InfluxQL) query model that raw queries use. */
export interface InfluxQuery extends Dataquery {
  refId: string;
  datasource: DataSourceRef;
  /** The InfluxQL text, with Grafana template variables (`$timeFilter`, `${testid:regex}`, …). */
  query: string;
  /** Raw InfluxQL rather than the visual editor's model. */
  rawQuery: true;
  resultFormat: ResultFormat;
  /** Series name pattern: `$m` measurement, `$col` column, `$tag_<key>` a tag's value. */
  alias?: string;
  /** Annotation queries only: marks the query as one, and which columns give the event's title, text and tags. */
  fromAnnotations?: boolean;
  titleColumn?: string;
  textColumn?: string;
  tagsColumn?: string;
}

/** Builds an `InfluxQuery`; refId defaults to `A`, result format to `time_series`. */
export class InfluxQueryBuilder implements Builder<Dataquery> {
  private readonly internal: InfluxQuery;

  /** @param query raw InfluxQL with Grafana template variables */
  constructor(query: string) {
    this.internal = {
      refId: 'A',
      datasource: { ...INFLUX_DATASOURCE },
      query,
      rawQuery: true,
      resultFormat: 'time_series',
      _implementsDataqueryVariant() {},
    };
  }

  build(): InfluxQuery {
    return this.internal;
  }

  refId(refId: string): this {
    this.internal.refId = refId;
    return this;
  }

  /** `table` for table panels and annotations; `time_series` (the default) for graphs. */
  format(resultFormat: ResultFormat): this {
    this.internal.resultFormat = resultFormat;
    return this;
  }

  alias(alias: string): this {
    this.internal.alias = alias;
    return this;
  }

  /** Makes this an annotation query whose events take title, text and tags from these columns. */
  annotationColumns(columns: { title: string; text: string; tags: readonly string[] }): this {
    this.internal.fromAnnotations = true;
    this.internal.titleColumn = columns.title;
    this.internal.textColumn = columns.text;
    this.internal.tagsColumn = columns.tags.join(',');
    return this;
  }
}

/** Shorthand: `influx(sql)` is `new InfluxQueryBuilder(sql)`. */
export function influx(query: string): InfluxQueryBuilder {
  return new InfluxQueryBuilder(query);
}
