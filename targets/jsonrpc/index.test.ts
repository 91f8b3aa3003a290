/** The real entry point, spawned as the harness spawns it (`node --import tsx targets/jsonrpc/index.ts`). */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

interface Run {
  child: ChildProcess;
  out: { stdout: string; stderr: string };
  exit: Promise<number | null>;
}

function run(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', 'targets/jsonrpc/index.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out.stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out.stderr += d));
  return { child, out, exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

async function ready(r: Run, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(r.out.stdout);
    if (m) return m[1]!;
    if (r.child.exitCode !== null) throw new Error(`exited early: ${r.out.stderr}`);
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`no ready line within ${timeoutMs} ms: ${r.out.stderr}`);
}

describe('targets/jsonrpc/index.ts', () => {
  it('serves /rpc and /mcp, and exits 0 within 2 s of SIGTERM with a session and its event stream open', async () => {
    const r = run(['--port', '0'], { TIDEMARK_FAULT_DELAY_MS: '1' });
    const url = await ready(r);
    expect(r.out.stderr).toContain('faults: delayMs=1');
    const rpc = await fetch(`${url}/rpc`, { method: 'POST', body: '{"jsonrpc":"2.0","method":"echo","params":["hi"],"id":1}' });
    expect(await rpc.json()).toEqual({ jsonrpc: '2.0', result: ['hi'], id: 1 });
    const client = new Client({ name: 'index-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
    expect((await client.listTools()).tools).toHaveLength(3);
    const t0 = performance.now();
    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(0);
    expect(performance.now() - t0).toBeLessThan(2000);
    await client.close().catch(() => {});
  });

  it('fails clearly: a bad limit (1), a bad flag (2); --help (0) lists endpoints and variables', async () => {
    const [badEnv, badFlag, help] = [run(['--port', '0'], { TIDEMARK_JSONRPC_MAX_BATCH: '0' }), run(['--nope']), run(['--help'])];
    expect(await badEnv.exit).toBe(1);
    expect(badEnv.out.stderr).toContain('TIDEMARK_JSONRPC_MAX_BATCH="0" is invalid: expected an integer from 1 to 100000');
    expect(await badFlag.exit).toBe(2);
    expect(await help.exit).toBe(0);
    expect(help.out.stdout).toContain('POST /rpc');
    expect(help.out.stdout).toContain('TIDEMARK_JSONRPC_MAX_SESSIONS');
    expect(help.out.stdout).toContain('TIDEMARK_FAULT_MEM_LEAK');
  });
});
