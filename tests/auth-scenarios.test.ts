/**
 * Real k6 against real targets with TIDEMARK_AUTH_TOKEN set in the harness's environment: the target
 * gets the token, every scenario request/stream/WebSocket sends `Authorization: Bearer` (scenarios/lib/auth.ts),
 * the harness's /stats sampler too; the run is valid with 0 errors, and the token appears in no file of
 * the run. A control run where only the target has the token shows auth was really on.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../reporters/run-result.ts';
import { runScenario } from '../scripts/lib/run-scenario.ts';
import { AUTH_ENV } from '../targets/common/auth.ts';

const TOKEN = 'k6-auth-token-4e1d9b7c2a5f8036';
const quiet = (): void => {};

let outDir: string;
let saved: string | undefined;
beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'tidemark-auth-'));
  saved = process.env[AUTH_ENV];
});
afterAll(async () => {
  if (saved === undefined) delete process.env[AUTH_ENV];
  else process.env[AUTH_ENV] = saved;
  await rm(outDir, { recursive: true, force: true });
});

/** Runs with the token in this process's environment (what the harness passes to the target and k6), then removes it. */
async function withToken<T>(fn: () => Promise<T>): Promise<T> {
  process.env[AUTH_ENV] = TOKEN;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env[AUTH_ENV];
    else process.env[AUTH_ENV] = saved;
  }
}

/** Every file under `dir` (recursively) that contains `needle`. */
async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    if ((await readFile(file, 'utf8')).includes(needle)) hits.push(file);
  }
  return hits;
}

/** Share of failed operations (`tidemark_errors`); NaN when the run has none recorded. */
const errors = (run: RunResult): number => run.errorRate ?? Number.NaN;

describe('scenarios with TIDEMARK_AUTH_TOKEN set', () => {
  it('sse/sustained: valid run, 0 errors, /stats sampled through auth, token in no result file', async () => {
    const dir = join(outDir, 'sse');
    const run = await withToken(() =>
      runScenario({ scenario: 'sse/sustained', runId: 'it-auth-sse', outDir: dir, duration: '2s', k6Vars: { SSE_CONNECTIONS: '5' }, log: quiet }),
    );
    expect(run.invalidReasons).toEqual([]);
    expect(run.valid).toBe(true);
    expect(errors(run)).toBe(0);
    expect(run.metrics.sse_events?.value).toBeGreaterThan(100);
    expect(run.metrics.sse_gaps?.value).toBe(0);
    expect(run.resources?.connectionsPeak).toBe(5); // from /stats: the sampler sent the token
    const files = await readdir(dir);
    expect(files.length).toBeGreaterThanOrEqual(4); // result, resources, k6 summary, logs
    expect(await filesContaining(dir, TOKEN)).toEqual([]);
  });

  it('broker/sustained and price-engine/sustained: WebSocket connects, SSE quotes and API calls carry the token', async () => {
    const dir = join(outDir, 'ws');
    const broker = await withToken(() =>
      runScenario({
        scenario: 'broker/sustained',
        runId: 'it-auth-broker',
        outDir: dir,
        duration: '2s',
        k6Vars: { BROKER_RATE: '50', BROKER_TOPICS: '2', BROKER_E2E_P99_MS: '2000' },
        log: quiet,
      }),
    );
    expect(broker.invalidReasons).toEqual([]);
    expect(errors(broker)).toBe(0);
    expect(broker.metrics.broker_delivered?.value).toBe(broker.metrics.broker_delivered_expected?.value);
    const pe = await withToken(() =>
      runScenario({
        scenario: 'price-engine/sustained',
        runId: 'it-auth-pe',
        outDir: dir,
        duration: '2s',
        k6Vars: { PE_RATE: '1000', PE_ENGINE_P95_MS: '50', PE_E2E_P95_MS: '500' },
        log: quiet,
      }),
    );
    expect(pe.invalidReasons).toEqual([]);
    expect(errors(pe)).toBe(0);
    expect(pe.metrics.pe_quotes?.value).toBeGreaterThan(0);
    expect(pe.metrics.pe_engine_p95_ms?.value).toBeLessThan(1e9); // /metrics.json?mark= answered through auth
    expect(await filesContaining(dir, TOKEN)).toEqual([]);
  });

  it('jsonrpc/sustained: /rpc calls and MCP sessions carry the token', async () => {
    const dir = join(outDir, 'jsonrpc');
    const run = await withToken(() =>
      runScenario({ scenario: 'jsonrpc/sustained', runId: 'it-auth-rpc', outDir: dir, duration: '2s', k6Vars: { JSONRPC_WARMUP_CALLS: '50', JSONRPC_RATE: '50' }, log: quiet }),
    );
    expect(run.invalidReasons).toEqual([]);
    expect(errors(run)).toBe(0);
    expect(run.metrics.rpc_calls?.value).toBeGreaterThan(50);
    expect(run.metrics.mcp_progress?.value).toBeGreaterThan(0); // MCP tool calls with progress went through
    expect(await filesContaining(dir, TOKEN)).toEqual([]);
    // Not even redacted: MCP sessions (setup() data, kept in k6's summary) never hold the auth header.
    expect(await filesContaining(dir, '[redacted]')).toEqual([]);
  });

  it('control: the target has the token but k6 does not, so every stream is refused and the run is invalid', async () => {
    const dir = join(outDir, 'control');
    const run = await runScenario({
      scenario: 'sse/sustained',
      runId: 'it-auth-control',
      outDir: dir,
      duration: '2s',
      k6Vars: { SSE_CONNECTIONS: '2' },
      targetEnv: { [AUTH_ENV]: TOKEN },
      log: quiet,
    });
    expect(run.valid).toBe(false);
    expect(run.errorRate ?? 0).toBeGreaterThan(0);
    expect(run.metrics.sse_events?.value ?? 0).toBe(0);
  });
});
