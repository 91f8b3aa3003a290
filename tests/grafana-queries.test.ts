/**
 * Every query of every dashboard (panels, annotations, template variables), with its variables filled in,
 * returns data from a real InfluxDB after real runs: sse/sustained and sse/churn recorded with `influx` set
 * (one testid, as a gate does) and a gate verdict written for them. SSE runs have no broker backend: the
 * `backend` variable has no values ("All") and the Run dashboard's "Broker backends" row stays empty
 * (tests/grafana-backends.test.ts runs those with broker data).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GateReport, MetricComparison } from '../reporters/gate-report.ts';
import type { RunResult } from '../reporters/run-result.ts';
import { BROKER_BACKEND_PANELS } from '../grafana/dashboards/run.ts';
import { DASHBOARDS } from '../grafana/lib/catalog.ts';
import { checkDashboard, type DashboardCheck } from '../grafana/lib/query-check.ts';
import type { TimeContext } from '../grafana/lib/template.ts';
import { writeGateToInflux } from '../scripts/lib/gate/gate-influx.ts';
import { useTestInflux } from '../scripts/lib/influxd-testing.ts';
import { runScenario } from '../scripts/lib/run-scenario.ts';

const PORT = 18116;
const DB = 'tidemark';
const influx = useTestInflux(PORT);
const runId = `it-grafana-${process.pid}`;
const runs: RunResult[] = [];
let outDir = '';
let time: TimeContext;

function metric(scenario: string, name: string, verdict: MetricComparison['verdict'], change: number): MetricComparison {
  return {
    scenario, metric: name, role: 'primary', rule: 'test', direction: 'lower', margin: 0.03, baseline: 10, current: 10 * (1 + change), change,
    ciLow: change - 0.02, ciHigh: change + 0.02, ciLevel: 0.95, p: 0.001, pAdjusted: 0.002, mde: 0.1, method: 'welch', verdict,
  };
}

/** A small gate report for the two runs: sse/sustained regressed on latency p95, sse/churn passed. */
function gateReport(): GateReport {
  const first = runs[0] as RunResult;
  const now = new Date().toISOString();
  return {
    schema: 'tidemark.gate/2', runId, mode: 'baseline', against: null, startedAt: first.startedAt, finishedAt: now, wallTimeS: 10,
    git: { sha: first.git.sha, branch: first.git.branch, dirty: false }, machineClass: 'test', repeat: 1, adaptive: null, alpha: 0.01,
    scenarios: [
      { scenario: 'sse/sustained', verdict: 'regression', runs: 1, invalid: [], sloFailures: [], metrics: [metric('sse/sustained', 'latency_p95', 'regression', 0.2), metric('sse/sustained', 'throughput', 'unchanged', 0)] },
      { scenario: 'sse/churn', verdict: 'pass', runs: 1, invalid: [], sloFailures: [], metrics: [metric('sse/churn', 'latency_p95', 'unchanged', 0.01)] },
    ],
    errors: [], exitCode: 1, verdict: 'regression',
  };
}

/** The `backend` variable: SSE runs have no backend tag, so it has no values ("All"). */
function backendVariable(location: string): boolean {
  return location === 'variable backend';
}

/** The backend variable, or a query of the Run dashboard's "Broker backends" row (empty for runs without a backend). */
function brokerBackendPanel(location: string): boolean {
  return backendVariable(location) || BROKER_BACKEND_PANELS.some((title) => location.startsWith(`panel "${title}" `));
}

/** Queries that failed or came back empty (except those listed as expected empty), one readable line each. */
function problems(check: DashboardCheck, expectEmpty: (location: string) => boolean = () => false): string[] {
  return check.outcomes
    .filter((o) => o.error !== null || (o.series < 1 && !expectEmpty(o.location)))
    .map((o) => `${o.location}: ${o.error ?? 'no series'}\n    ${o.query}`);
}

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'tidemark-grafana-'));
  for (const scenario of ['sse/sustained', 'sse/churn']) {
    runs.push(
      await runScenario({ scenario, runId, outDir, duration: '3s', k6Vars: { SSE_CONNECTIONS: '5' }, influx: `${influx.url}/${DB}`, log: () => {} }),
    );
  }
  const gate = await writeGateToInflux(`${influx.url}/${DB}`, gateReport());
  if (!gate.written) throw new Error(`gate verdicts not written: ${gate.warning}`);
  const from = Math.min(...runs.map((r) => Date.parse(r.startedAt))) - 10_000;
  time = { fromMs: from, toMs: Date.now() + 10_000, interval: '1s', intervalMs: 1000 };
}, 90_000);

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe('every dashboard query returns data from real runs', () => {
  it('both runs were recorded to InfluxDB', () => {
    expect(runs.map((r) => [r.scenario, r.influx?.written])).toEqual([['sse/sustained', true], ['sse/churn', true]]);
  });

  const dashboard = (file: string) => {
    const entry = DASHBOARDS.find((d) => d.file === file);
    if (!entry) throw new Error(`no dashboard ${file}`);
    return entry.build().build();
  };

  for (const scenario of ['sse/sustained', 'sse/churn']) {
    it(`Run, testid ${runId}, scenario ${scenario}: every panel (each latency metric) and variable`, async () => {
      const check = await checkDashboard(dashboard('run.json'), { url: influx.url, db: DB, time, fixed: { testid: runId, scenario } });
      expect(problems(check, brokerBackendPanel)).toEqual([]);
      // SSE runs have no backend: the backend variable has no values ("All"), the broker backend row stays empty.
      expect(check.variables.backend).toEqual({ values: [], all: true });
      const brokerRow = check.outcomes.filter((o) => o.location.startsWith('panel') && brokerBackendPanel(o.location));
      expect(brokerRow.length).toBe(5);
      expect(brokerRow.filter((o) => o.series > 0)).toEqual([]);
      const latency = check.variables.latency_metric?.values ?? [];
      expect(latency).toEqual(expect.arrayContaining(['sse_delivery_latency', 'sse_first_event', 'sse_connect_time']));
      if (scenario === 'sse/churn') expect(latency).toContain('sse_reconnect_time');
      expect(check.variables.target?.values).toEqual(['sse']);
      // 12 fixed panel queries, 5 of the broker backend row, plus one per latency metric.
      expect(check.outcomes.filter((o) => o.location.startsWith('panel')).length).toBe(12 + 5 + latency.length);
    });
  }

  it('History, scenario sse/sustained, every branch: every panel, the regression annotation and variables', async () => {
    const check = await checkDashboard(dashboard('history.json'), { url: influx.url, db: DB, time, fixed: { scenario: 'sse/sustained' } });
    expect(problems(check, backendVariable)).toEqual([]);
    expect(check.variables.backend).toEqual({ values: [], all: true });
    expect(check.outcomes.some((o) => o.location === 'annotation "Regressions"' && o.series >= 1)).toBe(true);
    expect(check.variables.branch?.values).toContain((runs[0] as RunResult).git.branch || 'unknown');
  });

  it('Overview, every branch: every panel and variable', async () => {
    const check = await checkDashboard(dashboard('overview.json'), { url: influx.url, db: DB, time });
    expect(problems(check)).toEqual([]);
  });
});
