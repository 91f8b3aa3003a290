import { createJsonRpcServer } from '/work/main/targets/jsonrpc/server.ts';
import { Agent, request } from 'node:http';
const s = createJsonRpcServer();
const { port } = await s.listen(0);
const agent = new Agent({ keepAlive: true, maxSockets: 200 });
function post(path: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string; headers: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`http://127.0.0.1:${port}${path}`, { method: 'POST', agent, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (res) => {
      let t = ''; res.setEncoding('utf8'); res.on('data', (d) => (t += d)); res.on('end', () => resolve({ status: res.statusCode!, text: t, headers: res.headers }));
    });
    req.on('error', reject); req.end(body);
  });
}
const W = 150, N = 6000; let next = 0; const lat: number[] = [];
const t0 = performance.now();
await Promise.all(Array.from({ length: W }, async (_, w) => {
  while (next < N) { const i = next++; const t1 = performance.now(); await post('/rpc', {}, JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'compute', arguments: { iterations: 1000 + (i % 50) } } })); lat.push(performance.now() - t1); }
}));
lat.sort((a, b) => a - b);
console.log('rpc: ms', Math.round(performance.now() - t0), 'p50', lat[lat.length >> 1]!.toFixed(1), 'p99', lat[Math.floor(lat.length * 0.99)]!.toFixed(1), 'max', lat[lat.length - 1]!.toFixed(1));
await s.close(); agent.destroy();
