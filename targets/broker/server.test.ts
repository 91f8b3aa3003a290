/** The broker over real WebSockets, driven by the third-party `ws` client. */
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { connect } from 'node:net';
import { NO_FAULTS, type FaultConfig } from '../common/faults.ts';
import type { BrokerOptions } from './options.ts';
import { createBrokerServer, type BrokerServer, type BrokerStats } from './server.ts';
import { connectBroker, type BrokerClient, type Frame } from './test-client.ts';

const servers: BrokerServer[] = [];
const clients: BrokerClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

type StartOptions = Partial<Omit<BrokerOptions, 'faults'>> & { faults?: Partial<FaultConfig> };

/** A broker on a free loopback port, no faults unless given. */
async function start(overrides: StartOptions = {}): Promise<{ server: BrokerServer; base: string; ws: string }> {
  const server = createBrokerServer({ scanMs: 10, ...overrides, faults: { ...NO_FAULTS, ...overrides.faults } });
  servers.push(server);
  const { port } = await server.listen(0);
  return { server, base: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}/ws` };
}

async function client(url: string): Promise<BrokerClient> {
  const c = await connectBroker(url);
  clients.push(c);
  return c;
}

function httpGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const stats = async (base: string): Promise<BrokerStats> => JSON.parse((await httpGet(`${base}/stats`)).body) as BrokerStats;
const msgs = (c: BrokerClient): Frame[] => c.ofOp('msg');
const seqs = (c: BrokerClient): number[] => msgs(c).map((f) => f.seq as number);
const pub = (c: BrokerClient, topic: string, id: string, data: unknown = 'x', cid?: string): void =>
  c.send({ op: 'pub', topic, id, data, ...(cid === undefined ? {} : { cid }) });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('publish, confirm, deliver', () => {
  it('confirms each publish with its seq and delivers it to every subscriber in order with the same stamp', async () => {
    const { ws } = await start();
    const a = await client(ws);
    const b = await client(ws);
    expect(await a.subscribe('t')).toMatchObject({ op: 'subscribed', topic: 't', mode: 'ack', resumed: false, backlog: 0 });
    await b.subscribe('t');
    const p = await client(ws);
    for (let i = 1; i <= 20; i++) pub(p, 't', `m${i}`, { n: i }, i % 2 ? `c${i}` : undefined);
    await p.waitFor((c) => c.ofOp('ok').length === 20);
    await a.waitFor((c) => msgs(c).length === 20);
    await b.waitFor((c) => msgs(c).length === 20);
    const oks = p.ofOp('ok');
    expect(oks.map((f) => f.seq)).toEqual([...Array(20).keys()].map((i) => i + 1));
    expect(oks[0]).toEqual({ op: 'ok', id: 'm1', seq: 1, t: oks[0]!.t, receivedAt: oks[0]!.receivedAt });
    for (const c of [a, b]) {
      expect(seqs(c)).toEqual(oks.map((f) => f.seq));
      for (const [i, m] of msgs(c).entries()) {
        expect(m).toMatchObject({ topic: 't', id: `m${i + 1}`, data: { n: i + 1 }, t: oks[i]!.t });
        expect(m).not.toHaveProperty('attempt');
        const e2e = m.receivedAt - (m.t as number);
        expect(e2e).toBeGreaterThanOrEqual(-1); // same clock, sub-ms precision
        expect(e2e).toBeLessThan(1000);
      }
    }
    expect(msgs(a)[0]).toMatchObject({ cid: 'c1' }); // correlation ids travel with deliveries
    expect(msgs(a)[1]).not.toHaveProperty('cid');
  });

  it('numbers topics independently', async () => {
    const { ws } = await start();
    const p = await client(ws);
    pub(p, 'a', '1');
    pub(p, 'b', '2');
    pub(p, 'a', '3');
    await p.waitFor((c) => c.ofOp('ok').length === 3);
    expect(p.ofOp('ok').map((f) => [f.id, f.seq])).toEqual([['1', 1], ['2', 1], ['3', 2]]);
  });
});

describe('acks, nacks and redelivery', () => {
  it('nack redelivers at once with attempt 2; receipts tell known from unknown seqs', async () => {
    const { ws, base } = await start();
    const s = await client(ws);
    await s.subscribe('t');
    const p = await client(ws);
    pub(p, 't', 'm1');
    await s.waitFor((c) => msgs(c).length === 1);
    s.send({ op: 'nack', topic: 't', seq: 1, receipt: true });
    await s.waitFor((c) => msgs(c).length === 2 && c.ofOp('nacked').length === 1);
    expect(msgs(s)[1]).toMatchObject({ seq: 1, id: 'm1', attempt: 2 });
    expect(s.ofOp('nacked')[0]).toMatchObject({ topic: 't', seq: 1, known: true });
    s.send({ op: 'ack', topic: 't', seq: 1, receipt: true });
    s.send({ op: 'ack', topic: 't', seq: 1, receipt: true });
    await s.waitFor((c) => c.ofOp('acked').length === 2);
    expect(s.ofOp('acked').map((f) => f.known)).toEqual([true, false]);
    expect(await stats(base)).toMatchObject({ acked: 1, nacked: 1, redelivered: 1, unknownAcks: 1, unacked: 0, backlogMessages: 0 });
  });

  it('settles a batch of seqs in one frame; its receipt counts the ones that were outstanding', async () => {
    const { ws, base } = await start();
    const s = await client(ws);
    await s.subscribe('t');
    const p = await client(ws);
    for (let i = 1; i <= 3; i++) pub(p, 't', `m${i}`);
    await s.waitFor((c) => msgs(c).length === 3);
    s.send({ op: 'ack', topic: 't', seqs: [1, 3, 9], receipt: true });
    s.send({ op: 'nack', topic: 't', seqs: [2] });
    await s.waitFor((c) => c.ofOp('acked').length === 1 && msgs(c).length === 4);
    expect(s.ofOp('acked')[0]).toMatchObject({ topic: 't', count: 3, known: 2 });
    expect(msgs(s)[3]).toMatchObject({ seq: 2, attempt: 2 });
    expect(await stats(base)).toMatchObject({ acked: 2, nacked: 1, unknownAcks: 1, unacked: 1 });
  });

  it('redelivers an unacked delivery after the ack timeout, not before', async () => {
    const { ws } = await start();
    const s = await client(ws);
    await s.subscribe('t', { ackTimeoutMs: 150 });
    const p = await client(ws);
    pub(p, 't', 'm1');
    pub(p, 't', 'm2');
    await s.waitFor((c) => msgs(c).length === 2);
    s.send({ op: 'ack', topic: 't', seq: 2 });
    await sleep(80);
    expect(msgs(s)).toHaveLength(2);
    await s.waitFor((c) => msgs(c).length === 3, 1000);
    expect(msgs(s)[2]).toMatchObject({ seq: 1, attempt: 2 });
    expect(msgs(s)[2]!.receivedAt - msgs(s)[0]!.receivedAt).toBeGreaterThanOrEqual(145);
  });

  it('caps unacked deliveries at prefetch and continues as acks arrive', async () => {
    const { ws } = await start();
    const s = await client(ws);
    await s.subscribe('t', { prefetch: 2 });
    const p = await client(ws);
    for (let i = 1; i <= 5; i++) pub(p, 't', `m${i}`);
    await p.waitFor((c) => c.ofOp('ok').length === 5);
    await sleep(50);
    expect(seqs(s)).toEqual([1, 2]);
    s.send({ op: 'ack', topic: 't', seq: 1 });
    s.send({ op: 'ack', topic: 't', seq: 2 });
    await s.waitFor((c) => msgs(c).length === 4);
    expect(seqs(s)).toEqual([1, 2, 3, 4]);
  });

  it('no-ack mode: deliveries are final, nothing is held or redelivered', async () => {
    const { ws, base } = await start();
    const s = await client(ws);
    expect(await s.subscribe('t', { ack: false, ackTimeoutMs: 20 })).toMatchObject({ mode: 'noack' });
    const p = await client(ws);
    for (let i = 1; i <= 3; i++) pub(p, 't', `m${i}`);
    await s.waitFor((c) => msgs(c).length === 3);
    await sleep(100);
    expect(seqs(s)).toEqual([1, 2, 3]);
    expect(await stats(base)).toMatchObject({ unacked: 0, backlogMessages: 0, delivered: 3, ops: 3 });
  });

  it('a group splits messages; a member that disconnects hands its unacked ones to the others', async () => {
    const { ws } = await start();
    const x = await client(ws);
    const y = await client(ws);
    await x.subscribe('t', { group: 'g' });
    expect(await y.subscribe('t', { group: 'g' })).toMatchObject({ resumed: true, group: 'g' });
    const p = await client(ws);
    for (let i = 1; i <= 4; i++) pub(p, 't', `m${i}`);
    await x.waitFor((c) => msgs(c).length === 2);
    await y.waitFor((c) => msgs(c).length === 2);
    expect([...seqs(x), ...seqs(y)].sort()).toEqual([1, 2, 3, 4]);
    x.close();
    await y.waitFor((c) => msgs(c).length === 4);
    expect(msgs(y).slice(2).map((f) => [f.seq, f.attempt])).toEqual(seqs(x).map((s) => [s, 2]));
  });
});

describe('durable subscriptions', () => {
  it('resume after reconnect with what was published meanwhile and what was unacked, in order', async () => {
    const { ws, base } = await start();
    const first = await client(ws);
    expect(await first.subscribe('t', { durable: 'd1' })).toMatchObject({ durable: 'd1', resumed: false });
    const p = await client(ws);
    for (let i = 1; i <= 3; i++) pub(p, 't', `m${i}`);
    await first.waitFor((c) => msgs(c).length === 3);
    first.send({ op: 'ack', topic: 't', seq: 1 });
    first.close();
    await first.closed;
    for (let i = 4; i <= 6; i++) pub(p, 't', `m${i}`);
    await p.waitFor((c) => c.ofOp('ok').length === 6);
    expect(await stats(base)).toMatchObject({ durable: 1, durableDetached: 1 });
    const again = await client(ws);
    expect(await again.subscribe('t', { durable: 'd1' })).toMatchObject({ resumed: true, backlog: 5 });
    await again.waitFor((c) => msgs(c).length === 5);
    expect(msgs(again).map((f) => [f.seq, f.attempt ?? 1])).toEqual([[2, 2], [3, 2], [4, 1], [5, 1], [6, 1]]);
  });
});

describe('limits and bad input', () => {
  it('refuses publishes with backlog_full at the bound, never dropping accepted ones', async () => {
    const { ws, base } = await start({ maxBacklog: 5 });
    const d = await client(ws);
    await d.subscribe('t', { durable: 'slow' });
    d.close();
    await d.closed;
    const p = await client(ws);
    for (let i = 1; i <= 8; i++) pub(p, 't', `m${i}`);
    await p.waitFor((c) => c.ofOp('ok').length + c.ofOp('error').length === 8);
    expect(p.ofOp('ok').map((f) => f.id)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(p.ofOp('error').map((f) => [f.code, f.id, f.topic])).toEqual([6, 7, 8].map((i) => ['backlog_full', `m${i}`, 't']));
    expect(p.ofOp('error')[0]!.message).toContain('TIDEMARK_BROKER_MAX_BACKLOG');
    const again = await client(ws);
    await again.subscribe('t', { durable: 'slow' });
    await again.waitFor((c) => msgs(c).length === 5);
    expect(seqs(again)).toEqual([1, 2, 3, 4, 5]);
    expect((await stats(base)).backlogFull).toBe(3);
  });

  it('a no-ack consumer that stops reading is paused, publishes are refused, and it later gets every accepted message in order', async () => {
    const { ws } = await start({ maxBacklog: 50, maxBufferedBytes: 64 * 1024 });
    const s = await client(ws);
    await s.subscribe('t', { ack: false });
    s.ws.pause(); // stop reading: the kernel buffers fill, then the broker's
    const p = await client(ws);
    const big = 'x'.repeat(32 * 1024);
    for (let i = 1; i <= 400; i++) pub(p, 't', `m${i}`, big);
    await p.waitFor((c) => c.ofOp('ok').length + c.ofOp('error').length === 400, 10_000);
    const accepted = p.ofOp('ok').map((f) => f.seq as number);
    expect(p.ofOp('error').length).toBeGreaterThan(0);
    expect(new Set(p.ofOp('error').map((f) => f.code))).toEqual(new Set(['backlog_full']));
    s.ws.resume();
    await s.waitFor((c) => msgs(c).length === accepted.length, 10_000);
    expect(seqs(s)).toEqual(accepted);
  });

  it('resumes a paused consumer even when the pause bound is below the socket high-water mark', async () => {
    const { ws } = await start({ maxBufferedBytes: 1024 });
    const s = await client(ws);
    await s.subscribe('t', { ack: false });
    const p = await client(ws);
    for (let i = 1; i <= 50; i++) pub(p, 't', `m${i}`, 'y'.repeat(600));
    await s.waitFor((c) => msgs(c).length === 50);
    expect(seqs(s)).toEqual([...Array(50).keys()].map((i) => i + 1));
  });

  it('answers malformed frames with error frames and keeps the connection and broker working', async () => {
    const { ws, base } = await start();
    const c = await client(ws);
    c.sendRaw('{not json');
    c.sendRaw('"just a string"');
    c.sendRaw(Buffer.from([1, 2, 3]), true);
    c.send({ op: 'pub', topic: 'bad topic', id: 'm1', data: 1 });
    c.send({ op: 'dance', topic: 't' });
    c.send({ op: 'ack', topic: 't', seq: 1 });
    await c.waitFor((x) => x.ofOp('error').length === 6);
    expect(c.ofOp('error').map((f) => f.code)).toEqual(['bad_frame', 'bad_frame', 'bad_frame', 'bad_frame', 'bad_frame', 'not_subscribed']);
    expect(c.ofOp('error')[3]).toMatchObject({ id: 'm1' });
    pub(c, 't', 'ok1');
    await c.waitFor((x) => x.ofOp('ok').length === 1);
    expect((await stats(base)).server.errors).toMatchObject({ bad_frame: 5, not_subscribed: 1 });
  });

  it('answers an oversized frame with too_large; a frame past 16x the limit closes only that connection (1009)', async () => {
    const { ws, base } = await start({ maxFrameBytes: 1024 });
    const c = await client(ws);
    c.sendRaw(JSON.stringify({ op: 'pub', topic: 't', id: 'm', data: 'x'.repeat(2000) }));
    await c.waitFor((x) => x.ofOp('error').length === 1);
    expect(c.ofOp('error')[0]).toMatchObject({ code: 'too_large' });
    expect(c.ofOp('error')[0]!.message).toContain('TIDEMARK_BROKER_MAX_FRAME_BYTES');
    pub(c, 't', 'small');
    await c.waitFor((x) => x.ofOp('ok').length === 1);
    c.sendRaw('x'.repeat(17 * 1024));
    expect((await c.closed).code).toBe(1009); // Message Too Big, sent by ws without reading the frame
    const other = await client(ws);
    pub(other, 't', 'after');
    await other.waitFor((x) => x.ofOp('ok').length === 1);
    expect((await httpGet(`${base}/health`)).status).toBe(200);
  });

  it('refuses a second subscription to a topic on one connection and more than the subscription limit', async () => {
    const { ws } = await start({ maxSubscriptions: 2 });
    const c = await client(ws);
    await c.subscribe('a');
    expect(await c.subscribe('a')).toMatchObject({ op: 'error', code: 'conflict', topic: 'a' });
    await c.subscribe('b');
    expect(await c.subscribe('c')).toMatchObject({ op: 'error', code: 'limit', topic: 'c' });
    c.send({ op: 'unsub', topic: 'b' });
    await c.waitFor((x) => x.ofOp('unsubscribed').length === 1);
    expect(await c.subscribe('c')).toMatchObject({ op: 'subscribed' });
  });

  it('refuses connections past the limit with 503 and other paths with 404', async () => {
    const { ws, base } = await start({ maxConnections: 1 });
    await client(ws);
    await expect(connectBroker(ws)).rejects.toThrow(/503/);
    await expect(connectBroker(ws.replace('/ws', '/nope'))).rejects.toThrow(/404/);
    const plain = await httpGet(`${base}/ws`);
    expect(plain.status).toBe(426);
    expect((await stats(base)).server.upgradesRefused).toEqual({ notFound: 1, overload: 1 });
  });
});

describe('/health and /stats', () => {
  it('serve the base shape: ops are deliveries, connections are WebSocket sessions (not /stats scrapes)', async () => {
    const { ws, base } = await start();
    expect(JSON.parse((await httpGet(`${base}/health`)).body)).toEqual({ status: 'ok', target: 'broker' });
    const s = await client(ws);
    await s.subscribe('t', { ack: false });
    const p = await client(ws);
    for (let i = 0; i < 5; i++) pub(p, 't', `m${i}`);
    await s.waitFor((c) => msgs(c).length === 5);
    await stats(base);
    const st = await stats(base);
    expect(st).toMatchObject({ target: 'broker', ops: 5, delivered: 5, published: 5, connections: { current: 2, peak: 2 }, topics: 1, consumers: 1 });
    expect(st.rssBytes).toBeGreaterThan(0);
    expect(st.cpuUs.user).toBeGreaterThan(0);
    s.close();
    await s.closed;
    await sleep(20);
    expect((await stats(base)).connections).toEqual({ current: 1, peak: 2 });
  });
});

describe('fault knobs', () => {
  it('TIDEMARK_FAULT_ERROR_RATE=1 refuses every publish with an injected error frame', async () => {
    const { ws } = await start({ faults: { errorRate: 1 } });
    const p = await client(ws);
    pub(p, 't', 'm1');
    await p.waitFor((c) => c.ofOp('error').length === 1);
    expect(p.ofOp('error')[0]).toMatchObject({ code: 'injected', id: 'm1' });
  });

  it('TIDEMARK_FAULT_DROP_RATE=1 confirms publishes but delivers nothing, and never redelivers', async () => {
    const { ws, base } = await start({ faults: { dropRate: 1 } });
    const s = await client(ws);
    await s.subscribe('t', { ackTimeoutMs: 20 });
    const p = await client(ws);
    for (let i = 0; i < 5; i++) pub(p, 't', `m${i}`);
    await p.waitFor((c) => c.ofOp('ok').length === 5);
    await sleep(100);
    expect(msgs(s)).toEqual([]);
    expect(await stats(base)).toMatchObject({ droppedByFault: 5, delivered: 0, unacked: 0 });
  });

  it('TIDEMARK_FAULT_DELAY_MS delays deliveries but not confirms', async () => {
    const { ws } = await start({ faults: { delayMs: 40 } });
    const s = await client(ws);
    await s.subscribe('t');
    const p = await client(ws);
    pub(p, 't', 'm1');
    await s.waitFor((c) => msgs(c).length === 1);
    const m = msgs(s)[0]!;
    expect(m.receivedAt - (m.t as number)).toBeGreaterThanOrEqual(39);
    expect(p.ofOp('ok')[0]!.receivedAt - (m.t as number)).toBeLessThan(30);
  });

  it('TIDEMARK_FAULT_CPU_US burns CPU per delivery and TIDEMARK_FAULT_MEM_KB holds memory per connection', async () => {
    const { ws, base } = await start({ faults: { cpuUs: 2000, memKb: 4096 } });
    const before = await stats(base);
    // The broker runs in this process: its ballast Buffers show in arrayBuffers (RSS moves with other tests' garbage too).
    const buffersBefore = process.memoryUsage().arrayBuffers;
    const s = await client(ws);
    const extra = await Promise.all([...Array(4)].map(() => client(ws)));
    await s.subscribe('t', { ack: false });
    const p = await client(ws);
    for (let i = 0; i < 50; i++) pub(p, 't', `m${i}`);
    await s.waitFor((c) => msgs(c).length === 50, 5000);
    const after = await stats(base);
    const cpuUs = after.cpuUs.user + after.cpuUs.system - before.cpuUs.user - before.cpuUs.system;
    expect(cpuUs).toBeGreaterThan(50 * 2000 * 0.9);
    expect(process.memoryUsage().arrayBuffers - buffersBefore).toBeGreaterThanOrEqual(6 * 4096 * 1024);
    expect(extra).toHaveLength(4);
  });
});

describe('shutdown', () => {
  it('closes client connections with 1001 and stops listening', async () => {
    const { server, ws, base } = await start();
    const c = await client(ws);
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    expect((await c.closed).code).toBe(1001);
    await expect(
      new Promise((resolve, reject) => {
        const sock = connect(Number(new URL(base).port), '127.0.0.1');
        sock.on('connect', () => resolve(sock.destroy()));
        sock.on('error', reject);
      }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});
