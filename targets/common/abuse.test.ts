import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertLoopback, buildRequest, chunked, openIdleSockets, rawRequest, slowloris, socketBudget, whileServing, type IdleSockets } from './abuse.ts';
import { HTTP_LIMITS, hardenHttpServer } from './http-limits.ts';

const servers: Server[] = [];
const floods: IdleSockets[] = [];

afterEach(async () => {
  await Promise.all(floods.splice(0).map((f) => f.close()));
  const list = servers.splice(0);
  for (const s of list) s.closeAllConnections();
  await Promise.all(list.map((s) => new Promise((r) => s.close(r))));
});

/** A tiny echo server: answers the body length, chunked when the path is /chunked. */
async function start(limits: Parameters<typeof hardenHttpServer>[1] = {}): Promise<number> {
  const server = createServer((req, res) => {
    let n = 0;
    req.on('data', (c: Buffer) => (n += c.length));
    req.on('end', () => {
      if (req.url === '/chunked') {
        res.write('a');
        res.end(`b${n}`);
      } else res.end(`len=${n}`);
    });
  });
  hardenHttpServer(server, limits);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

describe('abuse helpers', () => {
  it('rawRequest reads Content-Length and chunked responses, and sends chunked bodies', async () => {
    const port = await start();
    const a = await rawRequest({ port, data: buildRequest({ method: 'POST', body: 'hello' }) });
    expect([a.status, a.text, a.end]).toEqual([200, 'len=5', 'complete']);
    const b = await rawRequest({ port, data: buildRequest({ method: 'POST', path: '/chunked', headers: { 'Transfer-Encoding': 'chunked' }, body: chunked(['ab', 'cde']) }) });
    expect([b.status, b.text, b.end]).toEqual([200, 'ab5', 'complete']);
    const c = await rawRequest({ port, data: 'NOT HTTP\r\n\r\n' });
    expect([c.status, c.end, c.closedByServer]).toEqual([400, 'closed', true]);
  });

  it('hardenHttpServer applies its limits; slowloris and idle sockets are dropped by the headers timeout', async () => {
    const server = createServer();
    expect(hardenHttpServer(server)).toEqual(HTTP_LIMITS);
    expect([server.headersTimeout, server.requestTimeout]).toEqual([HTTP_LIMITS.headersTimeoutMs, HTTP_LIMITS.requestTimeoutMs]);
    expect(() => hardenHttpServer(server, { headersTimeoutMs: 2, requestTimeoutMs: 1 })).toThrow(/must not exceed/);

    const port = await start({ headersTimeoutMs: 500, requestTimeoutMs: 1000, checkIntervalMs: 100 });
    const idle = await openIdleSockets({ port, count: 20 });
    floods.push(idle);
    const report = await whileServing(
      () => slowloris({ port, count: 5, byteIntervalMs: 20, durationMs: 3000 }),
      async () => {
        const r = await rawRequest({ port, data: buildRequest({ method: 'POST', body: 'xy' }) });
        if (r.text !== 'len=2') throw new Error(`answer ${r.status} ${r.text}`);
      },
    );
    expect(report.attack).toMatchObject({ opened: 5, droppedByServer: 5, stillOpen: 0, statuses: { 408: 5 } });
    expect(report.attack.maxLifetimeMs).toBeLessThan(1500);
    expect(report.failed).toBe(0);
    expect(report.ok).toBe(report.probes);
    expect(report.duringAttack).toBeGreaterThan(3);
    expect(idle.opened).toBe(20);
    expect(idle.closedByServer()).toBe(20);
  });

  it('whileServing counts failures and rethrows an attack error; guards refuse non-loopback hosts', async () => {
    let i = 0;
    const r = await whileServing(() => new Promise((ok) => setTimeout(() => ok('done'), 100)), async () => {
      if (i++ % 2 === 1) throw new Error('odd');
    }, { intervalMs: 5, minProbes: 4 });
    expect(r.attack).toBe('done');
    expect(r.failed).toBeGreaterThan(0);
    expect(r.ok + r.failed).toBe(r.probes);
    await expect(whileServing(() => Promise.reject(new Error('boom')), async () => {})).rejects.toThrow('boom');
    expect(() => assertLoopback('10.0.0.1')).toThrow(/loopback/);
    expect(() => assertLoopback('127.0.0.1')).not.toThrow();
    expect(socketBudget(10)).toBe(10);
  });
});
