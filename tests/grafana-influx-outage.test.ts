/**
 * Nothing is lost when InfluxDB goes away in the middle of a run: the run gives a warning, keeps its
 * result JSON, and `npm run influx -- import` pushes it once InfluxDB is back, twice without doubling.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInfluxQL } from '../grafana/lib/influxql-http.ts';
import { resourcePoints, runMetricPoints } from '../reporters/influx-points.ts';
import { validateRunResult } from '../reporters/validate.ts';
import { importRunDir, readResourceSamples } from '../scripts/lib/influx-import.ts';
import { startInflux, stopInflux } from '../scripts/lib/influxd.ts';
import { useTestInflux } from '../scripts/lib/influxd-testing.ts';
import { runFiles, runScenario } from '../scripts/lib/run-scenario.ts';

const DB = 'outage';
const influx = useTestInflux(18120);
const runId = `it-outage-${process.pid}`;
let outDir = '';

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'tidemark-outage-'));
});
afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

/** `count(field)` of a measurement for this run's testid (0 when nothing matches). */
async function count(measurement: string, field: string): Promise<number> {
  const r = await runInfluxQL(influx.url, DB, `SELECT count("${field}") FROM "${measurement}" WHERE "testid" = '${runId}'`);
  if (r.error) throw new Error(r.error);
  return Number(r.series[0]?.values[0]?.[1] ?? 0);
}

/** Polls (bounded) until k6 has flushed samples of this run, then stops influxd. */
async function stopOnceSamplesArrive(): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const n = await count('vus', 'value').catch(() => 0);
    if (n > 0) {
      await stopInflux({ ...influx.opts, graceMs: 3000 });
      return n;
    }
    await sleep(100);
  }
  throw new Error('k6 wrote no samples within 10 s');
}

describe('InfluxDB going away mid-run', () => {
  it('warns, keeps the run result, and a later import pushes it idempotently', async () => {
    const lines: string[] = [];
    const url = `${influx.url}/${DB}`;
    const [run, samplesBefore] = await Promise.all([
      runScenario({ scenario: 'sse/sustained', runId, outDir, duration: '6s', k6Vars: { SSE_CONNECTIONS: '5' }, influx: url, log: (l) => lines.push(l) }),
      stopOnceSamplesArrive(),
    ]);
    expect(samplesBefore).toBeGreaterThan(0);

    // The run is reported, not lost: a warning that names the import command, and a valid result on disk.
    expect(run.influx?.written).toBe(false);
    expect(run.influx?.warning).toMatch(/InfluxDB at http:\/\/127\.0\.0\.1:18120\/outage is unreachable.*npm run influx -- import/);
    expect(lines.some((l) => l.includes('warning:') && l.includes('unreachable'))).toBe(true);
    const file = runFiles(outDir, 'sse/sustained').result;
    expect(existsSync(file)).toBe(true);
    expect(validateRunResult(JSON.parse(readFileSync(file, 'utf8'))).runId).toBe(runId);

    // InfluxDB comes back with its data (k6's samples from before the outage are still there).
    await startInflux(influx.opts);
    expect(await count('vus', 'value')).toBeGreaterThanOrEqual(samplesBefore);
    expect(await count('tidemark_run_info', 'valid')).toBe(0);

    const first = await importRunDir(outDir, url);
    expect(first.runs.map((r) => [r.runId, r.written, r.problem])).toEqual([[runId, true, null]]);
    const counts = async () => [await count('tidemark_run', 'count'), await count('tidemark_run_info', 'valid'), await count('tidemark_resources', 'rss_kb')];
    const samples = readResourceSamples(file);
    const expected = [runMetricPoints(run).filter((p) => 'count' in p.fields).length, 1, resourcePoints(run, samples).length];
    expect(expected[2]).toBeGreaterThan(3);
    expect(await counts()).toEqual(expected);

    const second = await importRunDir(outDir, url);
    expect(second.runs.every((r) => r.written)).toBe(true);
    expect(await counts()).toEqual(expected);
  });
});
