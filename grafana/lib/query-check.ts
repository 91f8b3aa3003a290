/**
 * Runs every query of a generated dashboard against a real InfluxDB the way Grafana would: variables are
 * resolved in order from their own queries (or fixed by the caller), repeated panels run once per value.
 */
import type { Dashboard, VariableModel } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboardQueries } from './dashboard-queries.ts';
import { columnValues, runInfluxQL, type InfluxSeries } from './influxql-http.ts';
import { interpolate, type TimeContext, type VariableValue } from './template.ts';

/** Where and what to query. */
export interface CheckOptions {
  /** InfluxDB base URL, `http://127.0.0.1:8086`. */
  url: string;
  db: string;
  time: TimeContext;
  /**
   * Variables to set instead of resolving them: one value (`testid`), or a `VariableValue` for several values
   * or "All" (`{ values: [], all: true }`, which expands to `.*`).
   */
  fixed?: Readonly<Record<string, string | VariableValue>>;
}

/** One executed query. */
export interface QueryOutcome {
  location: string;
  /** The expanded InfluxQL that ran. */
  query: string;
  /** Series returned (for variables: values returned). */
  series: number;
  error: string | null;
  /** What the query returned (empty for fixed variables). */
  result: InfluxSeries[];
}

/** All outcomes of one dashboard and the variable values they used. */
export interface DashboardCheck {
  variables: Record<string, VariableValue>;
  outcomes: QueryOutcome[];
}

/** Variable sort as Grafana applies it: 1 alphabetical ascending, 2 descending, otherwise as returned. */
function sorted(values: string[], sort: number | undefined): string[] {
  const unique = [...new Set(values)];
  if (sort === 1) return unique.sort();
  if (sort === 2) return unique.sort().reverse();
  return unique;
}

/** Resolves one variable: its values in Grafana's order, "All" for multi-value variables. */
async function resolveVariable(
  v: VariableModel,
  vars: Record<string, VariableValue>,
  opts: CheckOptions,
): Promise<{ value: VariableValue; outcome: QueryOutcome }> {
  const raw = typeof v.query === 'string' ? v.query : '';
  const query = interpolate(raw, vars, opts.time);
  const fixed = opts.fixed?.[v.name];
  if (fixed !== undefined) {
    const value: VariableValue = typeof fixed === 'string' ? { values: [fixed] } : fixed;
    return { value, outcome: { location: `variable ${v.name} (fixed)`, query, series: value.values.length, error: null, result: [] } };
  }
  const result = await runInfluxQL(opts.url, opts.db, query);
  const column = /^\s*SHOW\s+MEASUREMENTS/i.test(query) ? 'name' : 'value';
  const values = sorted(columnValues(result, column), v.sort);
  const value: VariableValue = v.multi || v.includeAll ? { values, all: true } : { values: values.slice(0, 1) };
  return { value, outcome: { location: `variable ${v.name}`, query, series: values.length, error: result.error, result: result.series } };
}

/** Resolves the variables, then runs every annotation and panel query (repeated panels once per value). */
export async function checkDashboard(d: Dashboard, opts: CheckOptions): Promise<DashboardCheck> {
  const variables: Record<string, VariableValue> = {};
  const outcomes: QueryOutcome[] = [];
  for (const v of d.templating?.list ?? []) {
    if (v.type !== 'query') continue;
    const { value, outcome } = await resolveVariable(v, variables, opts);
    variables[v.name] = value;
    outcomes.push(outcome);
  }
  for (const q of dashboardQueries(d)) {
    if (q.kind === 'variable') continue;
    const repeatValues = q.repeat === null ? [null] : (variables[q.repeat]?.values ?? []);
    if (repeatValues.length === 0) {
      outcomes.push({ location: `${q.location} (repeat ${q.repeat})`, query: q.query, series: 0, error: `variable ${q.repeat} has no values`, result: [] });
    }
    for (const rv of repeatValues) {
      const vars = q.repeat === null || rv === null ? variables : { ...variables, [q.repeat]: { values: [rv] } };
      const query = interpolate(q.query, vars, opts.time);
      const result = await runInfluxQL(opts.url, opts.db, query);
      const location = rv === null ? q.location : `${q.location} [${q.repeat}=${rv}]`;
      outcomes.push({ location, query, series: result.series.length, error: result.error, result: result.series });
    }
  }
  return { variables, outcomes };
}
