/** Lists every InfluxQL query a generated dashboard holds: panels (rows included), annotations and variables. */
import type { Dashboard, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';

export type QueryKind = 'panel' | 'annotation' | 'variable';

/** One query and where it sits. */
export interface DashboardQuery {
  kind: QueryKind;
  /** `panel "Target RSS" A`, `annotation "Regressions"`, `variable scenario`. */
  location: string;
  query: string;
  /** The variable a repeated panel or row repeats over, else null. */
  repeat: string | null;
  /** Variable queries only: the variable's name. */
  variable?: string;
}

function queryText(target: unknown): string | null {
  const q = (target as { query?: unknown } | null)?.query;
  return typeof q === 'string' ? q : null;
}

function flatPanels(panels: ReadonlyArray<Panel | RowPanel>, rowRepeat: string | null = null): Array<{ panel: Panel; repeat: string | null }> {
  return panels.flatMap((p) => {
    if (p.type === 'row') {
      const row = p as RowPanel;
      return flatPanels(row.panels, row.repeat ?? null);
    }
    const panel = p as Panel;
    return [{ panel, repeat: panel.repeat ?? rowRepeat }];
  });
}

/**
 * Every query of the dashboard, in order: variables first (in dependency order, as Grafana resolves them),
 * then annotations, then panels.
 * @throws Error when a panel target, annotation or variable has no query text
 */
export function dashboardQueries(d: Dashboard): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  for (const v of d.templating?.list ?? []) {
    if (v.type !== 'query') continue;
    if (typeof v.query !== 'string') throw new Error(`variable ${v.name}: query is not InfluxQL text`);
    out.push({ kind: 'variable', location: `variable ${v.name}`, query: v.query, repeat: null, variable: v.name });
  }
  for (const a of d.annotations?.list ?? []) {
    if (a.builtIn) continue;
    const q = queryText(a.target);
    if (q === null) throw new Error(`annotation "${a.name}": no query`);
    out.push({ kind: 'annotation', location: `annotation "${a.name}"`, query: q, repeat: null });
  }
  for (const { panel, repeat } of flatPanels(d.panels ?? [])) {
    for (const t of panel.targets ?? []) {
      const q = queryText(t);
      const refId = (t as { refId?: string }).refId ?? '?';
      if (q === null) throw new Error(`panel "${panel.title}" ${refId}: no query`);
      out.push({ kind: 'panel', location: `panel "${panel.title}" ${refId}`, query: q, repeat });
    }
  }
  return out;
}
