/**
 * Ctrl-C (SIGINT) or SIGTERM during a scenario or a gate: every child the harness started stops (checked in the
 * process list), the exit code says so, and partial results stay on disk.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../scripts/lib/repo.ts';
import { machineInfo } from '../scripts/lib/machine.ts';
import { baselineFromRuns, writeBaseline } from '../scripts/lib/gate/baseline-file.ts';
import { fakeRun } from '../scripts/lib/gate/fake-run.ts';
import { allowedCpus, hasTaskset } from '../scripts/lib/cpu-pinning.ts';

const cleanup: string[] = [];
afterAll(async () => {
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
});

function processesMatching(text: string): string[] {
  const list = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return list.split('\n').filter((line) => line.includes(text) && !line.includes('ps -eo'));
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Starts a harness CLI, waits until its k6 process runs, sends `signal`, and returns the exit code. */
async function interrupt(args: string[], runId: string, signal: NodeJS.Signals, env: NodeJS.ProcessEnv = process.env): Promise<number | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args, '--run-id', runId], { cwd: repoRoot, env, stdio: 'ignore' });
  const exit = exitOf(child);
  try {
    await waitFor(() => processesMatching(`testid=${runId}`).length > 0, 30_000, 'k6 to start');
    await new Promise((r) => setTimeout(r, 1500));
    child.kill(signal);
    return await exit;
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

describe('interrupting the harness', () => {
  it('SIGINT during a scenario: exit 130, no k6 or target left, partial result kept and marked invalid', async () => {
    const runId = `it-sigint-${process.pid}`;
    const dir = join(repoRoot, 'results', runId);
    cleanup.push(dir);
    const code = await interrupt(['scripts/scenario.ts', 'sse/sustained', '--duration', '30s', '-e', 'SSE_CONNECTIONS=5'], runId, 'SIGINT');
    expect(code).toBe(130);
    const result = JSON.parse(readFileSync(join(dir, 'sse-sustained.json'), 'utf8')) as { valid: boolean; invalidReasons: string[]; targetUrl: string };
    expect(result.valid).toBe(false);
    expect(result.invalidReasons.join(' ')).toMatch(/interrupted by SIGINT/);
    expect(existsSync(join(dir, 'sse-sustained.resources.json'))).toBe(true);
    const port = new URL(result.targetUrl).port;
    expect(processesMatching(`testid=${runId}`)).toEqual([]);
    expect(processesMatching(`--port ${port}`)).toEqual([]);
  }, 60_000);

  it.skipIf(!hasTaskset() || allowedCpus().length < 2)('SIGINT during a pinned scenario (TIDEMARK_PIN=1): the taskset-started k6 and target stop too', async () => {
    const runId = `it-sigint-pin-${process.pid}`;
    const dir = join(repoRoot, 'results', runId);
    cleanup.push(dir);
    const env = { ...process.env, TIDEMARK_PIN: '1' };
    const code = await interrupt(['scripts/scenario.ts', 'sse/sustained', '--duration', '30s', '-e', 'SSE_CONNECTIONS=5'], runId, 'SIGINT', env);
    expect(code).toBe(130);
    const result = JSON.parse(readFileSync(join(dir, 'sse-sustained.json'), 'utf8')) as { valid: boolean; invalidReasons: string[]; targetUrl: string };
    expect(result.invalidReasons.join(' ')).toMatch(/interrupted by SIGINT/);
    const port = new URL(result.targetUrl).port;
    expect(processesMatching(`testid=${runId}`)).toEqual([]);
    expect(processesMatching(`--port ${port}`)).toEqual([]);
  }, 60_000);

  it('SIGTERM during a gate: exit 143, no children left, a partial report says it was interrupted', async () => {
    const baselines = await mkdtemp(join(tmpdir(), 'tidemark-sigterm-'));
    cleanup.push(baselines);
    const baseline = baselineFromRuns([fakeRun({ p95: 2 }), fakeRun({ p95: 2 })], '30s');
    const machine = machineInfo();
    const previous = process.env.TIDEMARK_BASELINE_DIR;
    process.env.TIDEMARK_BASELINE_DIR = baselines;
    await writeBaseline({ ...baseline, machine: { class: machine.class, cpus: machine.cpus, model: machine.model } });
    if (previous === undefined) delete process.env.TIDEMARK_BASELINE_DIR;
    else process.env.TIDEMARK_BASELINE_DIR = previous;

    const runId = `it-sigterm-${process.pid}`;
    const dir = join(repoRoot, 'results', runId);
    cleanup.push(dir);
    const env = { ...process.env, TIDEMARK_BASELINE_DIR: baselines, SSE_CONNECTIONS: '5' };
    const code = await interrupt(['scripts/gate.ts', '--only', 'sse/sustained', '--repeat', '2', '--skip-cost'], runId, 'SIGTERM', env);
    expect(code).toBe(143);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { exitCode: number; errors: Array<{ error: string }> };
    expect(report.exitCode).toBe(2);
    expect(report.errors.map((e) => e.error).join(' ')).toMatch(/interrupted/);
    expect(readdirSync(dir)).toContain('sse-sustained-r1.json');
    expect(processesMatching(`testid=${runId}`)).toEqual([]);
  }, 60_000);
});
