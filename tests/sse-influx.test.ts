/** Scenario runs with --influx: k6's own samples and Tidemark's points land in a real InfluxDB, by testid. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfluxDB } from 'influx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../scripts/lib/run-scenario.ts';
import { useTestInflux } from '../scripts/lib/influxd-testing.ts';

const influx = useTestInflux(18096);
let outDir: string;
beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'tidemark-influx-run-'));
});
afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

async function count(query: string): Promise<number> {
  const client = new InfluxDB({ host: '127.0.0.1', port: 18096, database: 'k6it' });
  const rows = await client.query<{ count: number }>(query);
  return rows[0]?.count ?? 0;
}

describe('SSE run recorded to InfluxDB', () => {
  it('k6 samples and the run summary are queryable by testid', async () => {
    const runId = `it-influx-${process.pid}`;
    const run = await runScenario({
      scenario: 'sse/sustained',
      runId,
      outDir,
      duration: '3s',
      k6Vars: { SSE_CONNECTIONS: '5' },
      influx: `${influx.url}/k6it`,
      log: () => {},
    });
    expect(run.influx).toMatchObject({ written: true, warning: null });
    const k6Samples = await count(`SELECT count("value") FROM "sse_delivery_latency" WHERE "testid" = '${runId}'`);
    expect(k6Samples).toBe(run.metrics.sse_delivery_latency?.count);
    expect(await count(`SELECT count("p95") FROM "tidemark_run" WHERE "testid" = '${runId}' AND "metric" = 'sse_delivery_latency'`)).toBe(1);
    expect(await count(`SELECT count("rss_kb") FROM "tidemark_resources" WHERE "testid" = '${runId}'`)).toBeGreaterThan(1);
  });

  it('an unreachable InfluxDB is a warning, and the run result is kept', async () => {
    const run = await runScenario({
      scenario: 'sse/sustained',
      runId: `it-noinflux-${process.pid}`,
      outDir,
      duration: '2s',
      k6Vars: { SSE_CONNECTIONS: '2' },
      influx: 'http://127.0.0.1:1/k6',
      log: () => {},
    });
    expect(run.valid).toBe(true);
    expect(run.influx?.written).toBe(false);
    expect(run.influx?.warning).toMatch(/unreachable.*npm run influx -- import/);
  });
});
