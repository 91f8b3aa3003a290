/**
 * InfluxQL building blocks shared by the dashboards.
 *
 * Every comparison with a dashboard variable is a regular expression with Grafana's `regex` format,
 * `"tag" =~ /^${var:regex}$/`, never `"tag" = '$var'`: Grafana's InfluxDB data source regex-escapes
 * variable values even inside string literals (`sse/sustained` becomes `sse\/sustained`, which InfluxQL
 * rejects), while the explicit `regex` format is escaped correctly for a regex literal and turns a
 * multi-value selection into `(a|b)`.
 */

/** `"name"`: an InfluxQL identifier (measurement, tag or field). */
export function ident(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** `'text'`: an InfluxQL string literal. */
export function literal(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `/^(a|b)$/`: an InfluxQL regex literal matching exactly these names (sorted, escaped). */
export function exactly(names: readonly string[]): string {
  if (names.length === 0) throw new Error('exactly(): no names to match');
  const escaped = [...new Set(names)].sort().map((n) => n.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'));
  return `/^(${escaped.join('|')})$/`;
}

/** `"tag" =~ /^${variable:regex}$/`: the tag equals the variable's value (or one of its values). */
export function tagIs(tag: string, variable = tag): string {
  return `${ident(tag)} =~ /^\${${variable}:regex}$/`;
}

/** `"tag" = 'value'` for a fixed value. */
export function tagEquals(tag: string, value: string): string {
  return `${ident(tag)} = ${literal(value)}`;
}

/** `"tag" != 'value'` for a fixed value. */
export function tagNotEquals(tag: string, value: string): string {
  return `${ident(tag)} != ${literal(value)}`;
}

/** A measurement a variable names, in a repeated panel: `"${variable:raw}"`. */
export function measurementOf(variable: string): string {
  return `"\${${variable}:raw}"`;
}

/**
 * `"backend" =~ /^${backend:regex}$/`: the broker backend a run was made with (`--backend`). Runs without one
 * (every non-broker run, broker runs without `--backend`) carry no `backend` tag, and InfluxDB 1.x compares a
 * missing tag as the empty string in SELECT, SHOW TAG VALUES and SHOW SERIES: "All" (`/^.*$/`) keeps them,
 * a chosen backend (`/^(mqtt|rabbitmq)$/`) leaves them out. Never use it in SHOW MEASUREMENTS: there a
 * measurement without a `backend` key at all never matches, not even `/^.*$/` or `= ''`.
 */
export const BACKEND = tagIs('backend');

/** `"backend" != ''`: only runs made with a backend (the tag is set). */
export const HAS_BACKEND = tagNotEquals('backend', '');

/** One run's k6 samples, of the chosen backends. Filtered by target and profile, not scenario: k6 sets its own `scenario` tag on per-VU samples. */
export const K6_RUN: readonly string[] = [tagIs('testid'), tagIs('target'), tagIs('profile'), BACKEND];

/** `K6_RUN` without the backend, for `SHOW MEASUREMENTS` (see `BACKEND`). */
export const K6_RUN_ANY_BACKEND: readonly string[] = [tagIs('testid'), tagIs('target'), tagIs('profile')];

/** One run's Tidemark points (`tidemark_run`, `tidemark_run_info`, `tidemark_resources`), of the chosen backends. */
export const HARNESS_RUN: readonly string[] = [tagIs('testid'), tagIs('scenario'), BACKEND];

/** One run's gate verdicts (`tidemark_verdict`, which has no `backend` tag). */
export const GATE_RUN: readonly string[] = [tagIs('testid'), tagIs('scenario')];

/** One scenario's history (`tidemark_run`, `tidemark_run_info`) on the chosen branches and backends. */
export const SCENARIO_HISTORY: readonly string[] = [tagIs('scenario'), tagIs('branch'), BACKEND];

/** One scenario's gate verdicts on the chosen branches (`tidemark_verdict`, which has no `backend` tag). */
export const SCENARIO_VERDICTS: readonly string[] = [tagIs('scenario'), tagIs('branch')];

/** Every scenario on the chosen branches. */
export const ALL_SCENARIOS: readonly string[] = [tagIs('branch')];

/** Bucketed by Grafana's interval, empty buckets left out. */
export const BY_INTERVAL = 'time($__interval) fill(none)';

/** A k6 Counter's samples in one `$__interval` bucket, as a rate per second. */
export const PER_SECOND = 'sum("value") * 1000 / $__interval_ms';

/** `percentile("value", 50) AS "p50", …` for k6 Trend samples. */
export function percentiles(ps: readonly number[], field = 'value'): string {
  return ps.map((p) => `percentile(${ident(field)}, ${p}) AS ${ident(`p${p}`)}`).join(', ');
}

/** The parts of one SELECT statement. */
export interface SelectParts {
  /** The SELECT list, verbatim. */
  select: string;
  /** A measurement (quoted here), a regex literal `/…/`, or a subquery `(SELECT …)`, verbatim when it starts with `/`, `(` or `"`. */
  from: string;
  /** Conditions joined with AND; `$timeFilter` is appended unless `timeFilter: false`. */
  where?: readonly string[];
  /** GROUP BY list, verbatim (for example `BY_INTERVAL`, `"metric"`). */
  groupBy?: string;
  /** Append `$timeFilter` (default true). */
  timeFilter?: boolean;
}

/** Assembles `SELECT … FROM … WHERE … AND $timeFilter GROUP BY …`. */
export function select(parts: SelectParts): string {
  const from = /^[/("]/.test(parts.from) ? parts.from : ident(parts.from);
  const conditions = [...(parts.where ?? []), ...(parts.timeFilter === false ? [] : ['$timeFilter'])];
  return [
    `SELECT ${parts.select} FROM ${from}`,
    conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '',
    parts.groupBy ? `GROUP BY ${parts.groupBy}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/** `SHOW TAG VALUES FROM "m" WITH KEY = "k" [WHERE …]`: a variable's values. */
export function showTagValues(measurement: string, key: string, where: readonly string[] = []): string {
  const base = `SHOW TAG VALUES FROM ${ident(measurement)} WITH KEY = ${ident(key)}`;
  return where.length > 0 ? `${base} WHERE ${where.join(' AND ')}` : base;
}

/** `SHOW MEASUREMENTS WITH MEASUREMENT =~ /^(…)$/ WHERE …`: which of these measurements have matching series. */
export function showMeasurements(names: readonly string[], where: readonly string[]): string {
  return `SHOW MEASUREMENTS WITH MEASUREMENT =~ ${exactly(names)} WHERE ${where.join(' AND ')}`;
}
