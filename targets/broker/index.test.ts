/** The real entry point, spawned as the harness spawns it (`node --import tsx targets/broker/index.ts`). */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { connectBroker, type BrokerClient } from './test-client.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = 'targets/broker/index.ts';

const children: ChildProcess[] = [];
const clients: BrokerClient[] = [];

afterEach(() => {
  for (const c of clients.splice(0)) c.ws.terminate();
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

interface Run {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  /** Exit code and ms from the first signal we sent (0 when none was sent). */
  exit: Promise<{ code: number | null; ms: number }>;
  signalledAt: number;
}

function run(args: string[], env: Record<string, string> = {}, script = ENTRY): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const r: Run = {
    child,
    stdout: '',
    stderr: '',
    signalledAt: 0,
    exit: new Promise((resolve) => child.on('exit', (code) => resolve({ code, ms: r.signalledAt === 0 ? 0 : performance.now() - r.signalledAt }))),
  };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (r.stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (r.stderr += d));
  return r;
}

function signal(r: Run, sig: NodeJS.Signals): void {
  r.signalledAt = performance.now();
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

describe('targets/broker/index.ts', () => {
  it('prints the ready line, serves WebSockets, and exits 0 within 2 s of SIGTERM with open connections', async () => {
    const r = run(['--port', '0']);
    const url = await ready(r);
    const ws = `${url.replace('http', 'ws')}/ws`;
    const sub = await connectBroker(ws);
    const pub = await connectBroker(ws);
    clients.push(sub, pub);
    await sub.subscribe('t');
    pub.send({ op: 'pub', topic: 't', id: 'm1', data: 1 });
    await sub.waitFor((c) => c.ofOp('msg').length === 1);
    signal(r, 'SIGTERM');
    const { code, ms } = await r.exit;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(2000);
    expect((await sub.closed).code).toBe(1001);
  });

  it('SIGINT stops it too; bad knobs and flags fail clearly; --help documents the protocol', async () => {
    const r = run(['--port', '0']);
    await ready(r);
    signal(r, 'SIGINT');
    const [badEnv, badFault, badFlag, help] = [
      run(['--port', '0'], { TIDEMARK_BROKER_MAX_BACKLOG: 'lots' }),
      run(['--port', '0'], { TIDEMARK_FAULT_ERROR_RATE: '3' }),
      run(['--port', 'x']),
      run(['--help']),
    ];
    expect((await r.exit).code).toBe(0);
    expect((await badEnv.exit).code).toBe(1);
    expect(badEnv.stderr).toContain('TIDEMARK_BROKER_MAX_BACKLOG="lots" is invalid: expected an integer from 1 to 100000000 (default 10000)');
    expect((await badFault.exit).code).toBe(1);
    expect(badFault.stderr).toContain('TIDEMARK_FAULT_ERROR_RATE');
    expect((await badFlag.exit).code).toBe(2);
    expect((await help.exit).code).toBe(0);
    expect(help.stdout).toContain('GET /ws (WebSocket)');
    expect(help.stdout).toContain('TIDEMARK_BROKER_MAX_BACKLOG (10000)');
    expect(help.stdout).toContain('TIDEMARK_FAULT_MEM_LEAK');
  });

  it('logs active fault knobs at start', async () => {
    const r = run(['--port', '0'], { TIDEMARK_FAULT_DROP_RATE: '0.1' });
    await ready(r);
    expect(r.stderr).toContain('broker: faults: dropRate=0.1');
    signal(r, 'SIGTERM');
    expect((await r.exit).code).toBe(0);
  });
});
