/**
 * The fallback for a k6 whose k6/x/sse gives no receive stamp (the community xk6-sse): SSE and price-engine
 * scenarios measure in JavaScript with the JavaScript clock. Forced on the pinned build with SSE_MEASURE=js and
 * SSE_CLOCK=js (scenarios/lib/sse-received-at.ts); the runs must stay valid and measure.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFiles, runScenario } from '../scripts/lib/run-scenario.ts';

let outDir: string;
beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'tidemark-js-clock-'));
});
afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

const quiet = (): void => {};

describe('SSE receive times from the JavaScript clock (no extension stamp)', () => {
  it('sse/sustained on the JavaScript path and clock: valid, every event counted, latency measured', async () => {
    const run = await runScenario({
      scenario: 'sse/sustained', runId: 'it-js-clock-sse', outDir, duration: '3s',
      k6Vars: { SSE_MEASURE: 'js', SSE_CLOCK: 'js', SSE_CONNECTIONS: '10' }, log: quiet,
    });
    expect(run.invalidReasons).toEqual([]);
    const latency = run.metrics.sse_delivery_latency;
    expect(latency?.count).toBeGreaterThan(300);
    // Whole milliseconds minus the server's sub-ms stamp: never below -1 ms, and most events within a few ms.
    expect(latency?.min).toBeGreaterThan(-1);
    expect(latency?.p50).toBeLessThan(20);
    expect(run.metrics.sse_gaps?.value ?? 0).toBe(0);
  });

  it('price-engine/sustained with the JavaScript clock: valid, tick-to-quote latency measured', async () => {
    const run = await runScenario({
      scenario: 'price-engine/sustained', runId: 'it-js-clock-pe', outDir, duration: '3s',
      k6Vars: { SSE_CLOCK: 'js', PE_RATE: '1000' }, log: quiet,
    });
    expect(run.invalidReasons).toEqual([]);
    expect(run.metrics.pe_tick_to_quote?.count).toBeGreaterThan(20); // quotes, not ticks: the engine publishes fewer
    expect(run.metrics.pe_tick_to_quote?.min).toBeGreaterThan(-1);
  });

  it('refuses an unknown clock before any load', async () => {
    const dir = join(outDir, 'bad');
    const run = await runScenario({
      scenario: 'sse/sustained', runId: 'it-js-clock-bad', outDir: dir, duration: '2s',
      k6Vars: { SSE_MEASURE: 'js', SSE_CLOCK: 'wall' }, log: quiet,
    });
    expect(run.valid).toBe(false);
    expect(run.metrics.sse_events).toBeUndefined();
    expect(await readFile(runFiles(dir, 'sse/sustained').k6Log, 'utf8')).toContain('SSE_CLOCK=wall is not one of stamp, js');
  });
});
