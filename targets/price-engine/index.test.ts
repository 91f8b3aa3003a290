/** The real entry point, spawned as the harness spawns it (`node --import tsx targets/price-engine/index.ts`). */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'targets/price-engine/index.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out.stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out.stderr += d));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out, exit };
}

async function ready(r: ReturnType<typeof run>, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(r.out.stdout);
    if (m) return m[1]!;
    if (r.child.exitCode !== null) throw new Error(`exited early: ${r.out.stderr}`);
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`no ready line within ${timeoutMs} ms: ${r.out.stderr}`);
}

describe('targets/price-engine/index.ts', () => {
  it('prints the ready line, serves, logs active faults, and exits 0 within 2 s of SIGTERM with open streams', async () => {
    const r = run(['--port', '0'], { TIDEMARK_FAULT_DROP_RATE: '0.1' });
    const url = await ready(r);
    expect(r.out.stderr).toContain('price-engine: faults: dropRate=0.1');
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: 'ok', target: 'price-engine' });
    const stream = await fetch(`${url}/quotes`);
    expect(stream.status).toBe(200);
    const t0 = performance.now();
    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(0);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('fails clearly on a bad knob (1) and a bad flag (2); --help lists the endpoints (0)', async () => {
    const [badEnv, badFlag, help] = [run(['--port', '0'], { TIDEMARK_PE_MAX_BATCH: '0' }), run(['--port', 'x']), run(['--help'])];
    expect(await badEnv.exit).toBe(1);
    expect(badEnv.out.stderr).toContain('TIDEMARK_PE_MAX_BATCH="0" is invalid');
    expect(await badFlag.exit).toBe(2);
    expect(await help.exit).toBe(0);
    expect(help.out.stdout).toContain('GET  /quotes?symbols=A,B');
    expect(help.out.stdout).toContain('TIDEMARK_FAULT_MEM_LEAK');
  });
});
