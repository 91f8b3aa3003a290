import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Cleanup,
  TEST_HTTP_LIMITS,
  TIMING_SLACK_MS,
  assertLoopback,
  buildRequest,
  chunked,
  idleUntilDropped,
  openIdleSockets,
  rawRequest,
  shortenHttpLimits,
  slowloris,
  socketBudget,
  socketBudgets,
  upgradeAttempts,
  upgradeRequest,
  whileServing,
  type IdleSockets,
} from './abuse.ts';
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

    const port = await start(TEST_HTTP_LIMITS);
    const idle = await openIdleSockets({ port, count: 20 });
    floods.push(idle);
    const report = await whileServing(
      () => slowloris({ port, count: 5, byteIntervalMs: 20, durationMs: TEST_HTTP_LIMITS.headersTimeoutMs + TIMING_SLACK_MS + 1000 }),
      async () => {
        const r = await rawRequest({ port, data: buildRequest({ method: 'POST', body: 'xy' }) });
        if (r.text !== 'len=2') throw new Error(`answer ${r.status} ${r.text}`);
      },
    );
    expect(report.attack).toMatchObject({ opened: 5, droppedByServer: 5, stillOpen: 0, statuses: { 408: 5 } });
    expect(report.attack.maxLifetimeMs).toBeGreaterThanOrEqual(TEST_HTTP_LIMITS.headersTimeoutMs - 50);
    expect(report.attack.maxLifetimeMs).toBeLessThan(TEST_HTTP_LIMITS.headersTimeoutMs + TEST_HTTP_LIMITS.checkIntervalMs + TIMING_SLACK_MS);
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

  it('shortenHttpLimits checks the defaults are in force, then shortens them', () => {
    const server = createServer();
    expect(() => shortenHttpLimits(server)).toThrow(/not run with the default HTTP limits.*headersTimeoutMs is \d+, expected 10000/);
    hardenHttpServer(server);
    expect(shortenHttpLimits(server)).toMatchObject(TEST_HTTP_LIMITS);
    expect(server.headersTimeout).toBe(TEST_HTTP_LIMITS.headersTimeoutMs);
    expect(() => shortenHttpLimits(server)).toThrow(/headersTimeoutMs is 1000/); // already shortened: no longer the defaults
    const own = createServer();
    hardenHttpServer(own, { keepAliveTimeoutMs: 120_000 });
    expect(() => shortenHttpLimits(own)).toThrow(/keepAliveTimeoutMs is 120000, expected 5000/);
    expect(shortenHttpLimits(own, TEST_HTTP_LIMITS, { keepAliveTimeoutMs: 120_000 }).keepAliveTimeoutMs).toBe(120_000);
  });

  it('socketBudgets shares the budget in proportion and never exceeds it', () => {
    const all = socketBudget(2300);
    const b = socketBudgets({ tcp: 2000, ws: 300 });
    expect(b.tcp + b.ws).toBe(all);
    if (all === 2300) expect(b).toEqual({ tcp: 2000, ws: 300 });
    expect(b.tcp).toBeGreaterThanOrEqual(b.ws);
  });

  it('idleUntilDropped waits for the server to drop every idle socket; upgradeAttempts sends raw upgrades', async () => {
    const port = await start(TEST_HTTP_LIMITS);
    let during = 0;
    const idle = await idleUntilDropped({ port, count: 10, waitMs: TEST_HTTP_LIMITS.headersTimeoutMs + TIMING_SLACK_MS, meanwhile: async (i) => void (during = i.opened) });
    expect(during).toBe(10);
    expect([idle.opened, idle.failed, idle.closedByServer()]).toEqual([10, 0, 10]);
    expect(Math.max(...idle.lifetimesMs())).toBeLessThan(TEST_HTTP_LIMITS.headersTimeoutMs + TEST_HTTP_LIMITS.checkIntervalMs + TIMING_SLACK_MS);
    // Without an 'upgrade' listener, Node serves an upgrade request as a plain request (the echo answers it).
    const answers = await upgradeAttempts({ port, path: '/ws', count: 3 });
    expect(answers.map((r) => [r.status, r.text])).toEqual(Array(3).fill([200, 'len=0']));
    expect(upgradeRequest('/ws').toString('latin1')).toMatch(/^GET \/ws HTTP\/1\.1\r\n.*Upgrade: websocket\r\n.*Sec-WebSocket-Key: /s);
  });

  it('idleUntilDropped closes its sockets when meanwhile throws; close() leaves no timer behind', async () => {
    const port = await start();
    let held: IdleSockets | undefined;
    await expect(idleUntilDropped({ port, count: 5, waitMs: 10_000, meanwhile: async (i) => {
      held = i;
      throw new Error('meanwhile failed');
    } })).rejects.toThrow('meanwhile failed');
    expect(held!.sockets.every((s) => s.destroyed)).toBe(true);
    const idle = await openIdleSockets({ port, count: 5 });
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    await idle.close();
    expect(timers()).toBeLessThanOrEqual(before); // the 5 s bound of close() was cleared, not left pending
  });

  it('Cleanup runs its steps newest first, once, and reports the first error after running all', async () => {
    const cleanup = new Cleanup();
    const order: string[] = [];
    expect(cleanup.add('a', (v) => order.push(v))).toBe('a');
    cleanup.add('b', () => {
      throw new Error('b failed');
    });
    cleanup.add('c', async (v) => void order.push(v));
    await expect(cleanup.run()).rejects.toThrow('b failed');
    expect(order).toEqual(['c', 'a']);
    await cleanup.run(); // nothing left
    expect(order).toEqual(['c', 'a']);
  });
});
