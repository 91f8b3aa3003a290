import { createJsonRpcServer } from '/work/main/targets/jsonrpc/server.ts';
import v8 from 'node:v8';
const s = createJsonRpcServer();
const { port } = await s.listen(0);
const url = `http://127.0.0.1:${port}/mcp`;
const H = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
async function open(i: number) {
  const r = await fetch(url, { method: 'POST', headers: H, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'b' + i, version: '1' } } }) });
  await r.text(); const sid = r.headers.get('mcp-session-id')!;
  const h = { ...H, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' };
  await (await fetch(url, { method: 'POST', headers: h, body: '{"jsonrpc":"2.0","method":"notifications/initialized"}' })).text();
  await (await fetch(url, { method: 'POST', headers: h, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { message: 'm' } } }) })).text();
}
for (let i = 0; i < 50; i++) await open(i);
v8.writeHeapSnapshot('/tmp/jrt/a.heapsnapshot');
for (let i = 0; i < 1000; i += 50) await Promise.all(Array.from({ length: 50 }, (_, k) => open(i + k)));
v8.writeHeapSnapshot('/tmp/jrt/b.heapsnapshot');
await s.close();
