/** Every Tidemark dashboard, with the file its JSON is committed as under `grafana/dashboards/`. */
import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { historyDashboard } from '../dashboards/history.ts';
import { overviewDashboard } from '../dashboards/overview.ts';
import { runDashboard } from '../dashboards/run.ts';

export interface DashboardEntry {
  /** JSON file name in `grafana/dashboards/`. */
  file: string;
  build: () => DashboardBuilder;
}

/** Overview first: it is the home of the history. */
export const DASHBOARDS: readonly DashboardEntry[] = [
  { file: 'overview.json', build: overviewDashboard },
  { file: 'history.json', build: historyDashboard },
  { file: 'run.json', build: runDashboard },
];
