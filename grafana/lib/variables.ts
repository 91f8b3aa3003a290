/** Template variables backed by InfluxQL `SHOW …` queries, with the defaults the Tidemark dashboards share. */
import { QueryVariableBuilder, VariableHide, VariableRefresh, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';
import { INFLUX_DATASOURCE } from './influx-query.ts';

/** How a variable is offered to the user. */
export interface VariableOptions {
  label: string;
  /** Several values at once, with an "All" entry whose value is `.*` (default false: exactly one value). */
  multi?: boolean;
  /** Hidden variables are derived from others (default false). */
  hidden?: boolean;
  /** Newest first for sortable ids (default alphabetical ascending). */
  sort?: VariableSort;
  description?: string;
}

/**
 * A variable whose values come from an InfluxQL `SHOW` query; refreshed on dashboard load and when the
 * variables it depends on change. `multi` variables add "All" as `.*`, so `/^${var:regex}$/` matches anything.
 */
export function queryVariable(name: string, query: string, opts: VariableOptions): QueryVariableBuilder {
  const v = new QueryVariableBuilder(name)
    .label(opts.label)
    .datasource({ ...INFLUX_DATASOURCE })
    .query(query)
    .definition(query)
    .refresh(VariableRefresh.OnDashboardLoad)
    .sort(opts.sort ?? VariableSort.AlphabeticalAsc)
    .multi(opts.multi ?? false)
    .includeAll(opts.multi ?? false);
  if (opts.multi) v.allValue('.*').current({ selected: true, text: ['All'], value: ['$__all'] });
  if (opts.hidden) v.hide(VariableHide.HideVariable);
  if (opts.description) v.description(opts.description);
  return v;
}
