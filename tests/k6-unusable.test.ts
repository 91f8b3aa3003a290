/** k6 missing or unusable: a clear error naming the binary and what to do, or an invalid run, never a pass. */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
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

/** A stand-in k6 whose `version` prints `text` (the harness reads it before anything starts). */
async function fakeK6(name: string, text: string): Promise<string> {
  const file = join(outDir, name);
  await writeFile(file, `#!/bin/sh\nprintf '%s\\n' ${JSON.stringify(text)}\n`);
  await chmod(file, 0o755);
  return file;
}

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

  it('a k6 other than v1.x: names its version and what to do, before any target starts', async () => {
    process.env.TIDEMARK_K6 = await fakeK6('k6-old', 'k6 v0.54.0 (go1.23.1, linux/amd64)');
    await expect(runScenario({ scenario: 'jsonrpc/sustained', runId: 'it-oldk6', outDir, duration: '2s', log: () => {} })).rejects.toThrow(
      /is v0\.54\.0; Tidemark's scenarios are written for k6 v1\.x: unset TIDEMARK_K6/,
    );
  });

  it('a k6 v1.x without k6/x/sse: refuses SSE scenarios, naming the missing extension', async () => {
    process.env.TIDEMARK_K6 = await fakeK6('k6-stock', 'k6 v1.3.0 (commit/5870e99ae8, go1.24.6, linux/amd64)');
    await expect(runScenario({ scenario: 'sse/sustained', runId: 'it-stockk6', outDir, duration: '2s', log: () => {} })).rejects.toThrow(
      /\(v1\.3\.0\) has no k6\/x\/sse extension, which sse scenarios need/,
    );
  });
});
