/**
 * The yardstick for `/rpc`: the least a Node `http` server must do to answer a JSON-RPC echo
 * (read the body, JSON.parse, JSON.stringify the answer). No validation, no limits, no dispatch.
 * `node --import tsx targets/jsonrpc/bench/bare-echo.ts [port]` (default 0 = any free port);
 * prints `listening on http://127.0.0.1:PORT`. GET answers 200 (health checks).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const server = createServer({ noDelay: true }, (req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(200, ['content-type', 'application/json', 'content-length', '2']);
    res.end('{}');
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const call = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: unknown; params?: unknown };
    const body = JSON.stringify({ jsonrpc: '2.0', result: call.params ?? null, id: call.id ?? null });
    res.writeHead(200, ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(body))]);
    res.end(body);
  });
});
server.keepAliveTimeout = 120_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
const stop = (): void => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
