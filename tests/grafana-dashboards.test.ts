/** The committed dashboard JSON matches the TypeScript builders, and the dashboards hold together. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Dashboard, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import { describe, expect, it } from 'vitest';
import { DASHBOARDS } from '../grafana/lib/catalog.ts';
import { dashboardQueries } from '../grafana/lib/dashboard-queries.ts';
import { DASHBOARDS_DIR, renderAll, staleFiles, writeAll } from '../grafana/lib/generate.ts';
import { INFLUX_DATASOURCE } from '../grafana/lib/influx-query.ts';
import { DASHBOARD_UID } from '../grafana/lib/links.ts';
import { unformattedVariables } from '../grafana/lib/template.ts';
import { TARGET_METRICS } from '../grafana/metrics.ts';
import { repoPath, repoRoot } from '../scripts/lib/repo.ts';

const run = promisify(execFile);

function committed(file: string): Dashboard {
  return JSON.parse(readFileSync(join(DASHBOARDS_DIR, file), 'utf8')) as Dashboard;
}

function allPanels(d: Dashboard): Array<Panel | RowPanel> {
  return (d.panels ?? []).flatMap((p) => (p.type === 'row' ? [p, ...(p as RowPanel).panels] : [p]));
}

describe('dashboards as code', () => {
  it('committed grafana/dashboards/*.json equal what the builders generate (run `npm run dashboards`)', () => {
    expect(staleFiles()).toEqual([]);
  });

  it('a hand-edited or missing JSON file counts as stale, and writing regenerates it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tidemark-dashboards-'));
    try {
      expect(writeAll(dir)).toEqual(['overview.json', 'history.json', 'run.json']);
      expect(staleFiles(dir)).toEqual([]);
      writeFileSync(join(dir, 'history.json'), readFileSync(join(dir, 'history.json'), 'utf8').replace('Tidemark / History', 'Edited'));
      rmSync(join(dir, 'run.json'));
      expect(staleFiles(dir)).toEqual(['history.json', 'run.json']);
      expect(writeAll(dir)).toEqual(['history.json', 'run.json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('`npm run dashboards -- --check` exits 0 now and documents itself in --help', async () => {
    const tsx = join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const check = await run(process.execPath, [tsx, 'scripts/dashboards.ts', '--check'], { cwd: repoRoot });
    expect(check.stdout).toMatch(/up to date/);
    const help = await run(process.execPath, [tsx, 'scripts/dashboards.ts', '--help'], { cwd: repoRoot });
    expect(help.stdout).toMatch(/--check/);
  });

  it('has Overview, History and Run with stable, distinct uids', () => {
    expect(renderAll().map((r) => r.file)).toEqual(['overview.json', 'history.json', 'run.json']);
    expect(DASHBOARDS.map((d) => committed(d.file).uid)).toEqual([DASHBOARD_UID.overview, DASHBOARD_UID.history, DASHBOARD_UID.run]);
  });

  for (const { file } of DASHBOARDS) {
    describe(file, () => {
      const d = committed(file);

      it('every query, annotation and variable uses the tidemark-influxdb datasource', () => {
        const panelTargets = allPanels(d).flatMap((p) => ('targets' in p ? (p.targets ?? []) : []));
        const refs = [
          ...panelTargets.map((t) => (t as { datasource?: unknown }).datasource),
          ...(d.annotations?.list ?? []).flatMap((a) => [a.datasource, (a.target as { datasource?: unknown } | undefined)?.datasource]),
          ...(d.templating?.list ?? []).map((v) => v.datasource),
        ];
        expect(refs.length).toBeGreaterThan(0);
        for (const ref of refs) expect(ref).toEqual(INFLUX_DATASOURCE);
      });

      it('panel ids are unique and every query uses variables with an explicit format', () => {
        const ids = allPanels(d).map((p) => p.id);
        expect(new Set(ids).size).toBe(ids.length);
        const queries = dashboardQueries(d);
        expect(queries.length).toBeGreaterThan(0);
        const names = new Set((d.templating?.list ?? []).map((v) => v.name));
        for (const q of queries) {
          expect(unformattedVariables(q.query), q.location).toEqual([]);
          for (const m of q.query.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):/g)) expect(names.has(m[1] ?? ''), `${q.location}: ${m[1]}`).toBe(true);
        }
      });

      it('data links open dashboards that exist', () => {
        const uids = new Set(Object.values(DASHBOARD_UID));
        const text = JSON.stringify(d);
        const targets = [...text.matchAll(/\/d\/([a-z0-9-]+)\//g)].map((m) => m[1]);
        for (const uid of targets) expect(uids.has(uid as never), uid).toBe(true);
      });
    });
  }

  it('History and Overview link each run to the Run dashboard by testid', () => {
    for (const file of ['history.json', 'overview.json']) {
      expect(JSON.stringify(committed(file))).toContain(`/d/${DASHBOARD_UID.run}/tidemark-run?var-testid=\${__data.fields.testid}`);
    }
  });

  it('Run and History filter every panel of Tidemark points and k6 samples by the multi-value `backend` variable ("All" = `.*`)', () => {
    const FILTER = '"backend" =~ /^${backend:regex}$/';
    for (const file of ['run.json', 'history.json']) {
      const d = committed(file);
      const v = (d.templating?.list ?? []).find((x) => x.name === 'backend');
      expect(v, file).toMatchObject({ type: 'query', multi: true, includeAll: true, allValue: '.*' });
      expect(String(v?.query)).toMatch(/^SHOW TAG VALUES FROM "(vus|tidemark_run_info)" WITH KEY = "backend" WHERE .*"scenario" =~ /);
      for (const q of dashboardQueries(d)) {
        if (q.kind === 'variable') {
          // SHOW MEASUREMENTS never matches a measurement that has no backend tag at all, whatever the regex.
          expect(q.query.includes(FILTER), q.location).toBe(false);
          continue;
        }
        // tidemark_verdict has no backend tag: a chosen backend would hide every verdict.
        const verdicts = q.query.includes('"tidemark_verdict"');
        expect(q.query.includes(FILTER), `${file} ${q.location}`).toBe(!verdicts);
      }
    }
    expect(JSON.stringify(committed('overview.json'))).not.toContain('backend');
  });

  it('grafana/metrics.ts registers every time Trend and Counter of each target\'s scenarios/lib metrics file', () => {
    const files = { sse: 'sse-metrics.ts', jsonrpc: 'jsonrpc-metrics.ts', broker: 'broker-metrics.ts', 'price-engine': 'price-metrics.ts' } as const;
    for (const [target, file] of Object.entries(files)) {
      const source = readFileSync(repoPath('scenarios', 'lib', file), 'utf8');
      const created = (kind: string) => [...source.matchAll(new RegExp(`new ${kind}\\('([a-z0-9_]+)'`, 'g'))].map((m) => m[1] ?? '');
      // Trends of times (`new Trend('name', true)`, ms) are latencies; a Trend of counts (broker_lag) is not.
      const timeTrends = [...source.matchAll(/new Trend\('([a-z0-9_]+)', true\)/g)].map((m) => m[1] ?? '');
      const t = TARGET_METRICS[target as keyof typeof files];
      expect(timeTrends.length, file).toBeGreaterThan(0);
      for (const name of timeTrends) expect(t.latency, `${file}: ${name}`).toContain(name);
      for (const name of t.latency) expect(timeTrends, `${file}: ${name} is not a time Trend`).toContain(name);
      for (const name of created('Counter')) expect([...t.operations, ...t.losses], `${file}: ${name}`).toContain(name);
      for (const name of t.headline) expect(t.latency).toContain(name);
      expect(t.errors).toContain('tidemark_errors');
    }
  });
});
