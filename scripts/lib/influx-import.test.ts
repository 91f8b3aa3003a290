import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleRun, sampleSamples } from '../../reporters/fixtures/sample-run.ts';
import { parseInfluxUrl } from '../../reporters/influx-connection.ts';
import { influxClient } from '../../reporters/influx-writer.ts';
import { importRunDir, resourcesFileFor, runResultFiles } from './influx-import.ts';
import { useTestInflux } from './influxd-testing.ts';

const influx = useTestInflux(18106);
const root = mkdtempSync(join(tmpdir(), 'tidemark-import-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A results folder like the harness leaves: two runs (one a repeat), samples, a report and a k6 summary. */
function resultsDir(runId: string): string {
  const dir = join(root, runId);
  mkdirSync(dir, { recursive: true });
  const first = sampleRun(runId);
  const second = { ...sampleRun(runId), repeat: 1, finishedAt: '2026-11-22T13:29:00.000Z' };
  writeFileSync(join(dir, 'sse-sustained.json'), JSON.stringify(first));
  writeFileSync(join(dir, 'sse-sustained.resources.json'), JSON.stringify(sampleSamples(first)));
  writeFileSync(join(dir, 'sse-sustained-r1.json'), JSON.stringify(second));
  writeFileSync(join(dir, 'report.json'), JSON.stringify({ verdict: 'pass' }));
  writeFileSync(join(dir, 'sse-sustained.k6-summary.json'), '{"metrics":{}}');
  writeFileSync(join(dir, 'notes.json'), '{"schema":"something/1"}');
  return dir;
}

async function points(db: string, runId: string): Promise<number> {
  const client = influxClient(parseInfluxUrl(`${influx.url}/${db}`));
  let total = 0;
  for (const [m, f] of [['tidemark_run', 'count'], ['tidemark_run', 'value'], ['tidemark_run_info', 'valid'], ['tidemark_resources', 'rss_kb']]) {
    const rows = await client.query<{ count: number }>(`SELECT count("${f}") FROM "${m}" WHERE "testid" = '${runId}'`);
    total += rows[0]?.count ?? 0;
  }
  return total;
}

describe('run result files', () => {
  it('picks run results only and pairs each with its samples file', () => {
    const dir = resultsDir('files');
    expect(runResultFiles(dir).map((f) => f.slice(dir.length + 1))).toEqual(['notes.json', 'sse-sustained-r1.json', 'sse-sustained.json']);
    expect(resourcesFileFor(join(dir, 'sse-sustained-r1.json'))).toBe(join(dir, 'sse-sustained-r1.resources.json'));
  });
});

describe('importRunDir (real influxd)', () => {
  it('imports every run; importing twice gives the same point count', async () => {
    const dir = resultsDir('imp-1');
    const url = `${influx.url}/tidemark_i`;
    const first = await importRunDir(dir, url);
    expect(first.runs.map((r) => r.written)).toEqual([true, true]);
    expect(first.skipped.map((s) => s.file)).toEqual([join(dir, 'notes.json')]);
    const once = await points('tidemark_i', 'imp-1');
    expect(once).toBeGreaterThan(20);
    await importRunDir(dir, url);
    expect(await points('tidemark_i', 'imp-1')).toBe(once);
  });

  it('reports an unreachable server per run, without throwing', async () => {
    const report = await importRunDir(resultsDir('imp-2'), 'http://127.0.0.1:1/k6');
    expect(report.runs.every((r) => !r.written && r.problem?.includes('unreachable'))).toBe(true);
  });

  it('reports a broken run result and refuses a folder without any', async () => {
    const dir = resultsDir('imp-3');
    writeFileSync(join(dir, 'sse-burst.json'), JSON.stringify({ ...sampleRun('imp-3'), valid: 'yes' }));
    const report = await importRunDir(dir, `${influx.url}/tidemark_i`);
    expect(report.runs.find((r) => r.file.endsWith('sse-burst.json'))?.problem).toContain('$.valid: must be boolean');
    const empty = join(root, 'empty');
    mkdirSync(empty);
    await expect(importRunDir(empty, influx.url)).rejects.toThrow(/no run results/);
    await expect(importRunDir(join(root, 'missing'), influx.url)).rejects.toThrow(/is not a folder/);
  });
});
