import { createServer, Agent, request } from 'node:http';
const server = createServer({ noDelay: true }, (req, res) => {
  const chunks: Buffer[] = []; req.on('data', (c) => chunks.push(c)); req.on('end', () => { const b = JSON.stringify({ ok: Buffer.concat(chunks).length }); res.writeHead(200, ['content-type', 'application/json', 'content-length', String(b.length)]); res.end(b); });
});
server.keepAliveTimeout = Number(process.argv[2] ?? 5000);
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as any).port;
const agent = new Agent({ keepAlive: true, maxSockets: 200 });
const post = (body: string) => new Promise<void>((resolve, reject) => { const req = request(`http://127.0.0.1:${port}/`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => { res.resume(); res.on('end', resolve); }); req.on('error', reject); req.end(body); });
const W = 150, N = 6000; let next = 0; const lat: number[] = []; const t0 = performance.now();
await Promise.all(Array.from({ length: W }, async () => { while (next < N) { next++; const t1 = performance.now(); await post('{"jsonrpc":"2.0","method":"echo","id":1}'); lat.push(performance.now() - t1); } }));
lat.sort((a, b) => a - b);
console.log('bare keepAliveTimeout', server.keepAliveTimeout, 'ms', Math.round(performance.now() - t0), 'p50', lat[lat.length >> 1]!.toFixed(1), 'p99', lat[Math.floor(lat.length * 0.99)]!.toFixed(1), 'max', lat[lat.length - 1]!.toFixed(1));
server.close(); agent.destroy(); server.closeAllConnections();
