import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestInflux } from '../scripts/lib/influxd-testing.ts';
import { sampleRun, sampleSamples } from './fixtures/sample-run.ts';
import { parseInfluxUrl } from './influx-connection.ts';
import { runMetricPoints } from './influx-points.ts';
import { influxClient, writePoints, writeRunToInflux } from './influx-writer.ts';

const influx = useTestInflux(18086);

/** `SELECT count(<field>)` of one measurement and run, via InfluxQL. */
async function count(db: string, measurement: string, field: string, runId: string): Promise<number> {
  const client = influxClient(parseInfluxUrl(`${influx.url}/${db}`));
  const rows = await client.query<{ count: number }>(`SELECT count("${field}") FROM "${measurement}" WHERE "testid" = '${runId}'`);
  return rows[0]?.count ?? 0;
}

describe('writeRunToInflux (real influxd)', () => {
  it('creates the database, writes every measurement and reads back', async () => {
    const run = sampleRun('write-1');
    const out = await writeRunToInflux(`${influx.url}/tidemark_w`, run, sampleSamples(run));
    expect(out).toEqual({ written: true, warning: null });
    expect(await count('tidemark_w', 'tidemark_run', 'max', 'write-1')).toBe(Object.values(run.metrics).filter((m) => m.max !== null).length);
    expect(await count('tidemark_w', 'tidemark_run_info', 'valid', 'write-1')).toBe(1);
    expect(await count('tidemark_w', 'tidemark_resources', 'rss_kb', 'write-1')).toBe(6);
    const client = influxClient(parseInfluxUrl(`${influx.url}/tidemark_w`));
    const [row] = await client.query<{ p95: number }>(
      `SELECT "p95" FROM "tidemark_run" WHERE "testid" = 'write-1' AND "metric" = 'tidemark_fixture_latency'`,
    );
    expect(row?.p95).toBeCloseTo(run.metrics.tidemark_fixture_latency?.p95 ?? -1, 9);
    expect(row?.time.toISOString()).toBe(run.finishedAt);
  });

  it('writing the same run twice does not double it', async () => {
    const run = sampleRun('write-2');
    for (let i = 0; i < 2; i++) expect((await writeRunToInflux(`${influx.url}/tidemark_w`, run, sampleSamples(run))).written).toBe(true);
    expect(await count('tidemark_w', 'tidemark_run', 'count', 'write-2')).toBe(Object.values(run.metrics).filter((m) => m.count !== null).length);
    expect(await count('tidemark_w', 'tidemark_resources', 'cpu_ms', 'write-2')).toBe(6);
  });

  it('writePoints writes arbitrary points', async () => {
    const out = await writePoints(`${influx.url}/tidemark_w`, runMetricPoints(sampleRun('write-3')).slice(0, 2));
    expect(out.written).toBe(true);
    expect(await count('tidemark_w', 'tidemark_run', 'count', 'write-3')).toBe(2);
  });
});

describe('writeRunToInflux (no server)', () => {
  it('returns a warning with the URL and the import command, fast, never throws', async () => {
    const t0 = Date.now();
    const out = await writeRunToInflux('http://alice:s3cret@127.0.0.1:1/k6', sampleRun('gone'), []);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(out.written).toBe(false);
    expect(out.warning).toContain('InfluxDB at http://127.0.0.1:1/k6 is unreachable');
    expect(out.warning).toContain('npm run influx -- import results/gone');
    expect(out.warning).not.toContain('s3cret');
    expect(out.warning).not.toContain('alice');
  });

  it('gives up on a server that accepts but never answers within the timeout', async () => {
    let server: Server | null = null;
    try {
      server = createServer(() => {}); // accepts the connection, never replies
      await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const t0 = Date.now();
      const out = await writeRunToInflux(`http://127.0.0.1:${port}/k6`, sampleRun('slow'), [], { timeoutMs: 300 });
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(out.written).toBe(false);
      expect(out.warning).toMatch(/timed out/i);
    } finally {
      server?.close();
    }
  });

  it('reports a bad URL as a warning too', async () => {
    const out = await writeRunToInflux('not a url', sampleRun('bad'), []);
    expect(out).toMatchObject({ written: false });
    expect(out.warning).toContain('not a URL');
  });
});
