/** Test helper: a throwaway real influxd on a given port with a temporary data folder. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startInflux, stopInflux, type InfluxdOptions } from './influxd.ts';

export interface TestInflux {
  /** `http://127.0.0.1:<port>` (set once beforeAll ran). */
  url: string;
  opts: InfluxdOptions;
}

/**
 * Registers beforeAll/afterAll that start an influxd on `port` (RPC on port + 2) in a temp folder and
 * always stop it and delete the folder, even when tests fail.
 */
export function useTestInflux(port: number): TestInflux {
  const state: TestInflux = { url: `http://127.0.0.1:${port}`, opts: { port } };
  beforeAll(async () => {
    state.opts = { port, dataDir: mkdtempSync(join(tmpdir(), 'tidemark-influx-')), timeoutMs: 15_000 };
    const started = await startInflux(state.opts);
    if (started.alreadyRunning) {
      throw new Error(`port ${port} already has an InfluxDB (not this test's): stop it, or pick another port for the test`);
    }
  });
  afterAll(async () => {
    if (state.opts.dataDir === undefined) return;
    try {
      await stopInflux({ ...state.opts, graceMs: 3000 });
    } finally {
      rmSync(state.opts.dataDir, { recursive: true, force: true });
    }
  });
  return state;
}
