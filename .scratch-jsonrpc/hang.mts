import { createJsonRpcServer } from '/work/main/targets/jsonrpc/server.ts';
import { Agent, request } from 'node:http';
const s = createJsonRpcServer();
const { port } = await s.listen(0);
const base = `http://127.0.0.1:${port}/mcp`;
let conns = 0; s.server.on('connection', () => conns++);
const srv: number[] = []; const firstByte: number[] = [];
s.server.prependListener('request', (req, res) => { const t = performance.now(); let fb = 0; const w = res.write; (res as any).write = function (...a: any[]) { if (!fb) { fb = performance.now() - t; } return w.apply(this, a as any); }; res.on('finish', () => { srv.push(performance.now() - t); firstByte.push(fb); }); });
const agent = new Agent({ keepAlive: true, maxSockets: 200 });
function post(headers: Record<string, string>, body: string, timeoutMs = 5000): Promise<{ status: number; text: string; headers: any }> {
  return new Promise((resolve, reject) => {
    const req = request(base, { method: 'POST', agent, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (res) => {
      let t = ''; res.setEncoding('utf8'); res.on('data', (d) => (t += d)); res.on('end', () => resolve({ status: res.statusCode!, text: t, headers: res.headers }));
    });
    req.setTimeout(timeoutMs, () => { req.destroy(new Error('timeout')); });
    req.on('error', reject); req.end(body);
  });
}
const S = Number(process.argv[2] ?? 8), W = Number(process.argv[3] ?? 150), N = Number(process.argv[4] ?? 6000);
const sessions: Record<string, string>[] = [];
for (let i = 0; i < S; i++) {
  const r = await post({}, JSON.stringify({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'h', version: '1' } } }));
  const h = { 'mcp-session-id': r.headers['mcp-session-id'], 'mcp-protocol-version': '2025-06-18' };
  await post(h, '{"jsonrpc":"2.0","method":"notifications/initialized"}');
  sessions.push(h);
}
let next = 0, timeouts = 0, bad = 0; const lat: number[] = []; const t0 = performance.now();
await Promise.all(Array.from({ length: W }, async (_, w) => {
  while (next < N) {
    const i = next++;
    const id = `${w}-${i}`;
    try {
      const t1 = performance.now();
      const r = await post(sessions[w % S]!, JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'compute', arguments: { iterations: 1000 + (i % 50) } } }), 30000);
      lat.push(performance.now() - t1);
      if (!r.text.includes(`"id":"${id}"`)) { bad++; if (bad < 4) console.log('bad', r.status, r.text.slice(0, 200)); }
    } catch (e) { timeouts++; if (timeouts < 4) console.log('err', String(e)); }
  }
}));
lat.sort((a, b) => a - b); console.log('p50', lat[lat.length >> 1]?.toFixed(1), 'p99', lat[Math.floor(lat.length * 0.99)]?.toFixed(1), 'max', lat[lat.length - 1]?.toFixed(1), '>1s', lat.filter((x) => x > 1000).length, '>4.9s', lat.filter((x) => x > 4900).length);
srv.sort((a, b) => a - b); console.log('server p50', srv[srv.length >> 1]?.toFixed(1), 'max', srv[srv.length - 1]?.toFixed(1), '>1s', srv.filter((x) => x > 1000).length);
firstByte.sort((a, b) => a - b); console.log('server first write max', firstByte[firstByte.length - 1]?.toFixed(1), '>1s', firstByte.filter((x) => x > 1000).length);
console.log('tcp connections accepted', conns);
console.log({ S, W, N, ms: Math.round(performance.now() - t0), timeouts, bad, stats: s.stats().mcp.rejected, answered: s.stats().mcp.answered });
await s.close(); agent.destroy();
