/** k6 missing or unusable: a clear error naming the binary and what to do, or an invalid run, never a pass. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../scripts/lib/run-scenario.ts';

let outDir: string;
const saved = process.env.TIDEMARK_K6;
beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'tidemark-nok6-'));
});
afterEach(() => {
  if (saved === undefined) delete process.env.TIDEMARK_K6;
  else process.env.TIDEMARK_K6 = saved;
});
afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('k6 missing or unusable', () => {
  it('missing: names the path and `npm run setup`', async () => {
    process.env.TIDEMARK_K6 = '/nonexistent/k6';
    await expect(runScenario({ scenario: 'sse/sustained', runId: 'it-nok6', outDir, log: () => {} })).rejects.toThrow(
      'k6 is not built at /nonexistent/k6: run `npm run setup` first',
    );
  });

  it('unusable (fails to run): names the binary and how to rebuild it, before any target starts', async () => {
    process.env.TIDEMARK_K6 = '/bin/false';
    await expect(runScenario({ scenario: 'sse/sustained', runId: 'it-badk6', outDir, duration: '2s', log: () => {} })).rejects.toThrow(
      /k6 at \/bin\/false is unusable \(`\/bin\/false version` exited 1.*npm run setup -- --force-k6/,
    );
  });
});
