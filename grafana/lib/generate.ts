/** Renders the dashboards to JSON, writes them, and finds committed JSON that no longer matches its builder. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dashboard, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import { DASHBOARDS } from './catalog.ts';

/** Where the generated JSON is committed. */
export const DASHBOARDS_DIR = join(import.meta.dirname, '..', 'dashboards');

/** One dashboard's generated JSON text. */
export interface RenderedDashboard {
  file: string;
  json: string;
}

/** Gives every panel (rows and panels inside collapsed rows included) a stable id, 1, 2, … in layout order. */
export function numberPanels(dashboard: Dashboard): Dashboard {
  let id = 0;
  const number = (p: Panel | RowPanel): Panel | RowPanel => {
    id += 1;
    const numbered = { ...p, id };
    if ('panels' in numbered && Array.isArray(numbered.panels)) {
      numbered.panels = numbered.panels.map((child) => number(child) as Panel);
    }
    return numbered;
  };
  return { ...dashboard, panels: (dashboard.panels ?? []).map(number) };
}

/** Builds one dashboard and returns its JSON text (2-space indent, trailing newline). */
export function renderDashboard(build: () => { build(): Dashboard }): string {
  return `${JSON.stringify(numberPanels(build().build()), null, 2)}\n`;
}

/** Every dashboard's JSON text. */
export function renderAll(): RenderedDashboard[] {
  return DASHBOARDS.map((d) => ({ file: d.file, json: renderDashboard(d.build) }));
}

/** Writes every dashboard's JSON into `dir`; returns the files whose content changed. */
export function writeAll(dir = DASHBOARDS_DIR): string[] {
  const changed: string[] = [];
  for (const { file, json } of renderAll()) {
    const path = join(dir, file);
    if (existsSync(path) && readFileSync(path, 'utf8') === json) continue;
    writeFileSync(path, json);
    changed.push(file);
  }
  return changed;
}

/** Files in `dir` that are missing or differ from what the builders generate now. */
export function staleFiles(dir = DASHBOARDS_DIR): string[] {
  return renderAll()
    .filter(({ file, json }) => {
      const path = join(dir, file);
      return !existsSync(path) || readFileSync(path, 'utf8') !== json;
    })
    .map(({ file }) => file);
}
