/** Dashboard uids and the links between the dashboards (Overview → History → Run). */
import { DashboardLinkBuilder, DashboardLinkType } from '@grafana/grafana-foundation-sdk/dashboard';

/** Stable uids: links and bookmarks depend on them. */
export const DASHBOARD_UID = {
  run: 'tidemark-run',
  history: 'tidemark-history',
  overview: 'tidemark-overview',
} as const;

/** Tag every Tidemark dashboard carries (the dashboards' top links list them). */
export const DASHBOARD_TAG = 'tidemark';

/**
 * A data link from a table row to the Run dashboard for that row's `testid`, scenario and time.
 * The time range is centred on the row's time (the run's finish) with `time.window` ms around it, from a
 * `window_ms` column when the query has one, else the given fixed window.
 * @param scenario how the link names the scenario: a field reference or a variable (`${scenario}`)
 */
export function runDataLink(scenario: string, windowMs: string = '${__data.fields.window_ms}'): DashboardLinkBuilder {
  const url =
    `/d/${DASHBOARD_UID.run}/tidemark-run?var-testid=\${__data.fields.testid}&var-scenario=${scenario}` +
    `&time=\${__value.time}&time.window=${windowMs}`;
  return new DashboardLinkBuilder('Open this run').type(DashboardLinkType.Link).url(url).targetBlank(false);
}

/** A data link from a row with a `scenario` column to that scenario's History, keeping the time range. */
export function historyDataLink(): DashboardLinkBuilder {
  const url = `/d/${DASHBOARD_UID.history}/tidemark-history?var-scenario=\${__data.fields.scenario}&\${branch:queryparam}&\${__url_time_range}`;
  return new DashboardLinkBuilder('History of this scenario').type(DashboardLinkType.Link).url(url).targetBlank(false);
}

/** The dashboard's top links: every Tidemark dashboard, as a dropdown, keeping time range and variables. */
export function tidemarkDashboardsLink(): DashboardLinkBuilder {
  return new DashboardLinkBuilder('Tidemark')
    .type(DashboardLinkType.Dashboards)
    .tags([DASHBOARD_TAG])
    .asDropdown(true)
    .includeVars(true)
    .keepTime(true);
}
