/**
 * k6's own measurements, as the harness writes them (k6's InfluxDB v1 output with Tidemark's tags), still
 * answer the queries community k6 dashboards run, such as Grafana dashboard 2587 "k6 Load Testing Results":
 * `vus`, `iterations`, `data_*` for every scenario, and the `http_*` family (with its url/method/status tags)
 * for HTTP load, which the JSON-RPC scenarios will produce. Also pins which tags k6 overrides.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columnValues, runInfluxQL } from '../grafana/lib/influxql-http.ts';
import { interpolate, type TimeContext } from '../grafana/lib/template.ts';
import { spawnTracked, stopChild } from '../scripts/lib/children.ts';
import { freePort } from '../scripts/lib/free-port.ts';
import { k6InfluxArgs } from '../scripts/lib/influx-url.ts';
import { useTestInflux } from '../scripts/lib/influxd-testing.ts';
import { k6Env, k6Path } from '../scripts/lib/k6-build.ts';
import { repoRoot } from '../scripts/lib/repo.ts';
import { runScenario } from '../scripts/lib/run-scenario.ts';
import { targetEntry } from '../scripts/lib/target-registry.ts';
import { waitHealthy } from '../scripts/lib/target-stats.ts';

const run = promisify(execFile);
const DB = 'k6';
const influx = useTestInflux(18118);
const sseId = `it-k6compat-sse-${process.pid}`;
const httpId = `it-k6compat-http-${process.pid}`;
let dir = '';
let target: ChildProcess | null = null;
let time: TimeContext;

/** A plain k6 HTTP script: GET /health of the SSE target with a check, the shape community dashboards expect. */
const HTTP_SCRIPT = `import http from 'k6/http';
import { check } from 'k6';
export const options = { vus: 2, duration: '2s' };
export default function () {
  const res = http.get(__ENV.TARGET_URL + '/health');
  check(res, { 'status is 200': (r) => r.status === 200 });
}
`;

/** Runs the HTTP script like the harness runs k6: Tidemark's tags, k6's InfluxDB v1 output. */
async function runHttpScript(baseUrl: string): Promise<void> {
  const script = join(dir, 'http-health.js');
  await writeFile(script, HTTP_SCRIPT);
  const tags = { testid: httpId, scenario: 'http/health', target: 'sse', profile: 'health', git_sha: 'unknown', branch: 'unknown' };
  await run(
    k6Path(),
    ['run', '--quiet', '--no-color', '-e', `TARGET_URL=${baseUrl}`, ...Object.entries(tags).flatMap(([k, v]) => ['--tag', `${k}=${v}`]), ...k6InfluxArgs(`${influx.url}/${DB}`), script],
    { cwd: repoRoot, env: k6Env(), timeout: 30_000 },
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tidemark-k6compat-'));
  const started = Date.now() - 5000;
  const sse = await runScenario({ scenario: 'sse/sustained', runId: sseId, outDir: dir, duration: '2s', k6Vars: { SSE_CONNECTIONS: '3' }, influx: `${influx.url}/${DB}`, log: () => {} });
  if (!sse.influx?.written) throw new Error(`SSE run not recorded: ${sse.influx?.warning}`);
  const port = await freePort();
  target = spawnTracked(process.execPath, ['--import', 'tsx', targetEntry('sse'), '--port', String(port)], { cwd: repoRoot, stdio: 'ignore' });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitHealthy(baseUrl, 20_000);
  await runHttpScript(baseUrl);
  time = { fromMs: started, toMs: Date.now() + 5000, interval: '1s', intervalMs: 1000 };
}, 90_000);

afterAll(async () => {
  if (target) await stopChild(target);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Series of one query with `$timeFilter` / `$__interval` expanded; fails on an InfluxDB error. */
async function series(query: string): Promise<number> {
  const r = await runInfluxQL(influx.url, DB, interpolate(query, {}, time));
  if (r.error) throw new Error(`${query}: ${r.error}`);
  return r.series.filter((s) => s.values.some((row) => row.slice(1).some((v) => v !== null))).length;
}

/** The typical panel queries of community k6 dashboards (2587 and its descendants), unfiltered. */
const EVERY_SCENARIO = [
  'SELECT mean("value") FROM "vus" WHERE $timeFilter GROUP BY time($__interval) fill(none)',
  'SELECT max("value") FROM "vus_max" WHERE $timeFilter GROUP BY time($__interval) fill(none)',
  'SELECT sum("value") FROM "iterations" WHERE $timeFilter GROUP BY time(1s) fill(none)',
  'SELECT mean("value"), max("value"), median("value"), percentile("value", 90) FROM "iteration_duration" WHERE $timeFilter GROUP BY time($__interval) fill(none)',
  'SELECT sum("value") FROM "data_received" WHERE $timeFilter GROUP BY time(1s) fill(none)',
  'SELECT sum("value") FROM "data_sent" WHERE $timeFilter GROUP BY time(1s) fill(none)',
];
const HTTP_LOAD = [
  'SELECT sum("value") FROM "http_reqs" WHERE $timeFilter GROUP BY time(1s) fill(none)',
  'SELECT mean("value"), max("value"), median("value"), percentile("value", 90), percentile("value", 95) FROM "http_req_duration" WHERE $timeFilter GROUP BY time($__interval) fill(none)',
  ...['blocked', 'connecting', 'tls_handshaking', 'sending', 'waiting', 'receiving'].map(
    (phase) => `SELECT mean("value") FROM "http_req_${phase}" WHERE $timeFilter GROUP BY time($__interval) fill(none)`,
  ),
  'SELECT mean("value") FROM "http_req_failed" WHERE $timeFilter GROUP BY time($__interval) fill(none)',
  'SELECT sum("value") FROM "checks" WHERE $timeFilter GROUP BY time(1s) fill(none)',
  'SELECT percentile("value", 95) FROM "http_req_duration" WHERE $timeFilter GROUP BY "name", "method", "status"',
];

describe('community k6 InfluxDB dashboard queries', () => {
  for (const q of EVERY_SCENARIO) {
    it(`every scenario: ${q}`, async () => {
      expect(await series(q)).toBeGreaterThanOrEqual(1);
      // The same query narrowed to one run, as dashboards with a testid variable do.
      expect(await series(q.replace('WHERE $timeFilter', `WHERE "testid" = '${sseId}' AND $timeFilter`))).toBeGreaterThanOrEqual(1);
    });
  }

  for (const q of HTTP_LOAD) {
    it(`HTTP load: ${q}`, async () => {
      expect(await series(q.replace('WHERE $timeFilter', `WHERE "testid" = '${httpId}' AND $timeFilter`))).toBeGreaterThanOrEqual(1);
    });
  }

  it('an SSE run writes no http_* measurements (its protocol metrics are sse_*)', async () => {
    const r = await runInfluxQL(influx.url, DB, `SHOW MEASUREMENTS WITH MEASUREMENT =~ /^http_/ WHERE "testid" = '${sseId}'`);
    expect(columnValues(r, 'name')).toEqual([]);
  });

  it('samples carry Tidemark tags, `scenario` included, on every sample', async () => {
    const keys = columnValues(await runInfluxQL(influx.url, DB, 'SHOW TAG KEYS FROM "http_req_duration"'), 'tagKey');
    expect(keys).toEqual(expect.arrayContaining(['testid', 'target', 'profile', 'branch', 'git_sha', 'scenario', 'method', 'status', 'name', 'expected_response']));
    // k6's default K6_INFLUXDB_TAGS_AS_FIELDS (vu, iter, url) keeps `url` a field: group by `name` instead.
    const fields = columnValues(await runInfluxQL(influx.url, DB, 'SHOW FIELD KEYS FROM "http_req_duration"'), 'fieldKey');
    expect(fields).toEqual(expect.arrayContaining(['value', 'url']));
    const values = async (m: string, key: string) =>
      columnValues(await runInfluxQL(influx.url, DB, `SHOW TAG VALUES FROM "${m}" WITH KEY = "${key}" WHERE "testid" = '${sseId}'`), 'value');
    // The harness drops k6's own `scenario` system tag (scripts/lib/k6-args.ts), so every sample keeps the
    // harness's `<target>/<profile>` value.
    expect(await values('vus', 'scenario')).toEqual(['sse/sustained']);
    expect(await values('iterations', 'scenario')).toEqual(['sse/sustained']);
    expect(await values('iterations', 'target')).toEqual(['sse']);
    expect(await values('iterations', 'profile')).toEqual(['sustained']);
  });
});
