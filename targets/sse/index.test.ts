/** The real entry point, spawned as the harness spawns it (`node --import tsx targets/sse/index.ts`). */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { openSse, type TestClient } from './test-client.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = 'targets/sse/index.ts';

const children: ChildProcess[] = [];
const cleanups: (() => void)[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const f of cleanups.splice(0)) f();
});

interface Run {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exit: Promise<{ code: number | null; ms: number }>;
}

function run(args: string[], env: Record<string, string> = {}, script = ENTRY): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const r: Run = {
    child,
    stdout: '',
    stderr: '',
    exit: new Promise((resolve) => {
      let t0 = 0;
      child.on('exit', (code) => resolve({ code, ms: t0 === 0 ? 0 : performance.now() - t0 }));
      // Time from the first signal we send (set by `signal`).
      (child as ChildProcess & { markSignal?: () => void }).markSignal = () => (t0 = performance.now());
    }),
  };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (r.stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (r.stderr += d));
  return r;
}

function signal(r: Run, sig: NodeJS.Signals): void {
  (r.child as ChildProcess & { markSignal?: () => void }).markSignal?.();
  r.child.kill(sig);
}

/** Waits for the ready line and returns the URL it names. */
async function ready(r: Run, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(r.stdout);
    if (m) return m[1]!;
    if (r.child.exitCode !== null) throw new Error(`exited early: ${r.stderr}`);
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`no ready line within ${timeoutMs} ms: ${r.stderr}`);
}

describe('targets/sse/index.ts', () => {
  it('prints the ready line, serves, and exits 0 within 2 s of SIGTERM with open streams', async () => {
    const r = run(['--port', '0']);
    const url = await ready(r);
    const streams: TestClient[] = await Promise.all([openSse(`${url}/events?rate=100`), openSse(`${url}/events?topic=x&rate=100`)]);
    cleanups.push(() => streams.forEach((s) => s.close()));
    await Promise.all(streams.map((s) => s.waitFor((c) => c.events.length >= 2)));
    signal(r, 'SIGTERM');
    const { code, ms } = await r.exit;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(2000);
    await Promise.all(streams.map((s) => s.ended));
  });

  it('SIGINT stops it too', async () => {
    const r = run(['--port', '0']);
    await ready(r);
    signal(r, 'SIGINT');
    expect((await r.exit).code).toBe(0);
  });

  it('fails clearly: port in use (1), bad flag (2), bad env knob (1); --help (0)', async () => {
    const holder: Server = createServer();
    await new Promise<void>((res) => holder.listen(0, '127.0.0.1', res));
    cleanups.push(() => holder.close());
    const port = (holder.address() as { port: number }).port;
    const [inUse, badFlag, badEnv, help] = [
      run(['--port', String(port)]),
      run(['--port', 'x']),
      run(['--port', '0'], { TIDEMARK_FAULT_DROP_RATE: '2' }),
      run(['--help']),
    ];
    expect((await inUse.exit).code).toBe(1);
    expect(inUse.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect((await badFlag.exit).code).toBe(2);
    expect(badFlag.stderr).toContain('--port "x" is invalid');
    expect((await badEnv.exit).code).toBe(1);
    expect(badEnv.stderr).toContain('TIDEMARK_FAULT_DROP_RATE');
    expect((await help.exit).code).toBe(0);
    expect(help.stdout).toContain('GET /events');
    expect(help.stdout).toContain('TIDEMARK_FAULT_MEM_LEAK');
  });

  it('npm run target -- sse runs the entry in the foreground and forwards SIGTERM', async () => {
    const r = run(['sse', '--port', '0'], {}, 'scripts/target.ts');
    await ready(r);
    signal(r, 'SIGTERM');
    const { code, ms } = await r.exit;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(2000);
    const unknown = run(['nope'], {}, 'scripts/target.ts');
    expect((await unknown.exit).code).toBe(2);
    expect(unknown.stderr).toContain('unknown target "nope"');
  });
});
