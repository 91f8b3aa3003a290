/**
 * `/rpc` echo against a bare Node `http` echo server, both driven by the same k6 script in one run
 * (scenarios/lib/jsonrpc-echo-bench.ts). Prints both rates, the ratio, and the JSON line.
 *
 *   node --import tsx targets/jsonrpc/bench/run-echo-bench.ts [--vus 32] [--step-s 10] [--rounds 2]
 *
 * Both servers run as separate processes on free loopback ports, as esbuild bundles on plain node (as the
 * harness runs targets); k6 shares the machine's cores with them.
 */
import { readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ChildProcess } from 'node:child_process';
import { exited, handleSignals, spawnTracked, stopChild } from '../../../scripts/lib/children.ts';
import { freePort } from '../../../scripts/lib/free-port.ts';
import { k6Env, k6Path } from '../../../scripts/lib/k6-build.ts';
import { repoRoot } from '../../../scripts/lib/repo.ts';
import { bundleTarget } from '../../../scripts/lib/target-bundle.ts';

const USAGE = `usage: node --import tsx targets/jsonrpc/bench/run-echo-bench.ts [--vus N] [--step-s S] [--rounds R]
  --vus N      closed-model virtual users (default 32)
  --step-s S   seconds per step; each round runs bare then /rpc (default 10)
  --rounds R   rounds (default 2)`;

/** Bundles `entry` (relative to the repository), runs it with `node`, and resolves with its URL once it prints the ready line. */
async function startServer(entry: string, name: string, args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const bundle = await bundleTarget(join(repoRoot, entry), repoRoot, name);
  const child = spawnTracked(process.execPath, [bundle, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} printed no ready line within 20 s`)), 20_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`${entry} exited with code ${code} before it was ready`)));
  });
  return { child, url };
}

/** CPU time (user + system) of a process so far, µs, from /proc (Linux). */
function cpuUs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100; // clock ticks at USER_HZ = 100
}

interface BenchSummary {
  bare: { rate: number };
  rpc: { rate: number };
  stepS: number;
  rounds: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { vus: { type: 'string' }, 'step-s': { type: 'string' }, rounds: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  handleSignals();
  const summaryFile = join(tmpdir(), `tidemark-echo-bench-${process.pid}.json`);
  const servers: ChildProcess[] = [];
  try {
    const bare = await startServer('targets/jsonrpc/bench/bare-echo.ts', 'bare-echo', [String(await freePort())]);
    servers.push(bare.child);
    const rpc = await startServer('targets/jsonrpc/index.ts', 'jsonrpc', ['--port', String(await freePort())]);
    servers.push(rpc.child);
    const vars = {
      BARE_URL: `${bare.url}/`,
      RPC_URL: `${rpc.url}/rpc`,
      BENCH_VUS: values.vus ?? '32',
      BENCH_STEP_S: values['step-s'] ?? '10',
      BENCH_ROUNDS: values.rounds ?? '2',
      BENCH_SUMMARY_FILE: summaryFile,
    };
    const args = ['run', '--quiet', '--no-color', ...Object.entries(vars).flatMap(([k, v]) => ['-e', `${k}=${v}`]), 'scenarios/lib/jsonrpc-echo-bench.ts'];
    const cpuBefore = [cpuUs(bare.child.pid), cpuUs(rpc.child.pid)];
    const k6 = spawnTracked(k6Path(), args, { cwd: repoRoot, env: k6Env(), stdio: ['ignore', 'inherit', 'inherit'] });
    const { code } = await exited(k6);
    if (code !== 0) throw new Error(`k6 exited with code ${code}`);
    const cpu = [cpuUs(bare.child.pid) - cpuBefore[0]!, cpuUs(rpc.child.pid) - cpuBefore[1]!];
    const summary = JSON.parse(await readFile(summaryFile, 'utf8')) as BenchSummary;
    const seconds = summary.rounds * summary.stepS;
    // Server CPU per answered request: the efficiency figure that holds even when k6 is the bottleneck.
    const cpuPerRequest = { bareUs: cpu[0]! / (summary.bare.rate * seconds), rpcUs: cpu[1]! / (summary.rpc.rate * seconds) };
    process.stdout.write(`  server CPU per request: bare ${cpuPerRequest.bareUs.toFixed(1)} µs, /rpc ${cpuPerRequest.rpcUs.toFixed(1)} µs\n`);
    process.stdout.write(`${JSON.stringify({ ...summary, cpuPerRequest })}\n`);
  } finally {
    await Promise.all(servers.map((s) => stopChild(s)));
    await rm(summaryFile, { force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`echo bench: ${(err as Error).message}\n`);
  process.exit(1);
});
