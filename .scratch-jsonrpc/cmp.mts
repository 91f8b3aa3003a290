// Alternates bare and /rpc with the same Node client; reports server CPU µs per request.
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { readFileSync } from 'node:fs';
import { bundleTarget } from '/work/main/scripts/lib/target-bundle.ts';
const root = '/work/main';
const cpu = (pid: number) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10000; };
async function start(entry: string, name: string, args: string[]) {
  const b = await bundleTarget(`${root}/${entry}`, root, name);
  const c = spawn(process.execPath, [b, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((r) => c.stdout!.on('data', (d) => { const m = /listening on (\S+)/.exec(String(d)); if (m) r(m[1]!); }));
  return { c, url };
}
const bare = await start('targets/jsonrpc/bench/bare-echo.ts', 'bare-echo', ['0']);
const rpc = await start('targets/jsonrpc/index.ts', 'jsonrpc', ['--port', '0']);
async function load(url: string, n: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  let next = 0;
  const one = (id: number) => new Promise<void>((resolve, reject) => {
    const body = `{"jsonrpc":"2.0","method":"echo","params":{"message":"hello"},"id":${id}}`;
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', reject); req.end(body);
  });
  await Promise.all(Array.from({ length: 16 }, async () => { while (next < n) await one(next++); }));
  agent.destroy();
}
const res: Record<string, number[]> = { bare: [], rpc: [] };
for (const [name, s, path] of [['bare', bare, '/'], ['rpc', rpc, '/rpc']] as const) await load(s.url + path, 5000);
for (let round = 0; round < 4; round++) {
  for (const [name, s, path] of [['bare', bare, '/'], ['rpc', rpc, '/rpc']] as const) {
    const b = cpu(s.c.pid!); await load(s.url + path, 10000); res[name]!.push((cpu(s.c.pid!) - b) / 10000);
  }
}
const med = (x: number[]) => [...x].sort((a, b) => a - b)[x.length >> 1]!;
console.log('cpu us/req bare', res.bare.map((x) => x.toFixed(0)).join(' '), 'rpc', res.rpc.map((x) => x.toFixed(0)).join(' '), 'median ratio bare/rpc', (med(res.bare) / med(res.rpc)).toFixed(3));
bare.c.kill(); rpc.c.kill();
