/**
 * Memory of N concurrent MCP sessions: starts the target (bundled, as the harness runs it), opens N sessions (initialize,
 * notifications/initialized, one tools/call each), holds them, and reads the target's RSS.
 *
 *   node --import tsx targets/jsonrpc/bench/mcp-sessions.ts [--sessions 1000] [--streams]
 *
 * `--streams` also opens the standalone GET event stream of every session (one open connection
 * each), as a client waiting for server notifications does. Prints one JSON line.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ChildProcess } from 'node:child_process';
import { handleSignals, spawnTracked, stopChild } from '../../../scripts/lib/children.ts';
import { freePort } from '../../../scripts/lib/free-port.ts';
import { repoRoot } from '../../../scripts/lib/repo.ts';
import { bundleTarget } from '../../../scripts/lib/target-bundle.ts';
import { waitHealthy } from '../../../scripts/lib/target-stats.ts';

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

interface Stats {
  rssBytes: number;
  heapUsedBytes?: number;
  mcp: { sessions: { current: number } };
}

async function stats(url: string): Promise<Stats> {
  return (await (await fetch(`${url}/stats`)).json()) as Stats;
}

/** Opens one session and makes one call in it; returns the session id. */
async function openSession(url: string, i: number): Promise<string> {
  const init = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: `bench-${i}`, version: '1' } } }),
  });
  await init.text();
  const sid = init.headers.get('mcp-session-id');
  if (init.status !== 200 || sid === null) throw new Error(`initialize ${i} answered ${init.status}`);
  const headers = { ...HEADERS, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' };
  await (await fetch(`${url}/mcp`, { method: 'POST', headers, body: '{"jsonrpc":"2.0","method":"notifications/initialized"}' })).text();
  const call = await fetch(`${url}/mcp`, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { message: `m${i}` } } }) });
  if (!(await call.text()).includes(`m${i}`)) throw new Error(`tools/call in session ${i} failed`);
  return sid;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { sessions: { type: 'string' }, streams: { type: 'boolean' }, help: { type: 'boolean' } } });
  if (values.help) {
    process.stdout.write('usage: node --import tsx targets/jsonrpc/bench/mcp-sessions.ts [--sessions N (1000)] [--streams]\n');
    return;
  }
  handleSignals();
  const n = Number(values.sessions ?? 1000);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let target: ChildProcess | undefined;
  const streams: AbortController[] = [];
  try {
    // As the harness runs it: an esbuild bundle on plain node (the tsx loader alone holds about 30 MB).
    const bundle = await bundleTarget(join(repoRoot, 'targets/jsonrpc/index.ts'), repoRoot, 'jsonrpc');
    target = spawnTracked(process.execPath, [bundle, '--port', String(port)], { cwd: repoRoot, stdio: 'ignore' });
    await waitHealthy(url, 20_000);
    // Warm the code paths once, so the baseline includes the JIT's code, not only the sessions.
    await openSession(url, -1);
    await new Promise((r) => setTimeout(r, 500));
    const before = await stats(url);
    const ids: string[] = [];
    const batch = 50;
    for (let i = 0; i < n; i += batch) {
      ids.push(...(await Promise.all(Array.from({ length: Math.min(batch, n - i) }, (_, k) => openSession(url, i + k)))));
    }
    if (values.streams) {
      for (const sid of ids) {
        const ctl = new AbortController();
        streams.push(ctl);
        const res = await fetch(`${url}/mcp`, { headers: { accept: 'text/event-stream', 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' }, signal: ctl.signal });
        if (res.status !== 200) throw new Error(`GET stream answered ${res.status}`);
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
    const after = await stats(url);
    const out = {
      sessions: after.mcp.sessions.current,
      streams: streams.length,
      rssBeforeMB: +(before.rssBytes / 1048576).toFixed(1),
      rssAfterMB: +(after.rssBytes / 1048576).toFixed(1),
      rssPerSessionKB: +((after.rssBytes - before.rssBytes) / 1024 / n).toFixed(1),
      heapBeforeMB: before.heapUsedBytes === undefined ? null : +(before.heapUsedBytes / 1048576).toFixed(1),
      heapAfterMB: after.heapUsedBytes === undefined ? null : +(after.heapUsedBytes / 1048576).toFixed(1),
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    for (const s of streams) s.abort();
    if (target) await stopChild(target);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`mcp-sessions bench: ${(err as Error).message}\n`);
  process.exit(1);
});
