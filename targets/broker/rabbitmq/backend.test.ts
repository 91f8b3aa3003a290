/**
 * The RabbitMQ adapter against a real server: what is specific to it (confirms, requeue, queue bounds, durable
 * and group queues, connection failures). The protocol over every backend is tested through the WebSocket server
 * elsewhere. Needs RabbitMQ on TIDEMARK_RABBITMQ_PORT (default 5673): `npm run backend -- start rabbitmq`.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { BrokerBackend, Consumer, Message, PublishResult, SubscribeRequest, SubscriptionHandle } from '../backend.ts';
import { backendServerPort } from '../backend-servers.ts';
import { BROKER_DEFAULTS, type BrokerOptions } from '../options.ts';
import { NO_FAULTS } from '../../common/faults.ts';
import { openRabbitMqBackend } from './backend.ts';
import { useBackendServers } from '../../../scripts/lib/backend-server-testing.ts';

useBackendServers('rabbitmq');

/** The server under test; the adapter's own error says how to start it when it does not answer. */
const PORT = backendServerPort('rabbitmq');
const ENV: NodeJS.ProcessEnv = { TIDEMARK_RABBITMQ_PORT: String(PORT) };

const options = (overrides: Partial<BrokerOptions> = {}): BrokerOptions => ({
  ...BROKER_DEFAULTS,
  scanMs: 10,
  durableTtlMs: 10_000, // durable queues of a test run do not linger on the server
  faults: NO_FAULTS,
  random: Math.random,
  ...overrides,
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function open(overrides: Partial<BrokerOptions> = {}, env: NodeJS.ProcessEnv = ENV): Promise<BrokerBackend> {
  const b = await openRabbitMqBackend(options(overrides), env);
  cleanups.push(() => b.close());
  return b;
}

/** A topic (or name) no earlier run used. */
const unique = (prefix: string): string => `${prefix}.${randomBytes(6).toString('hex')}`;

/** Records deliveries; `full` makes it report backpressure. */
class Sink implements Consumer {
  got: { m: Message; attempt: number }[] = [];
  full = false;
  deliver(m: Message, attempt: number): boolean {
    this.got.push({ m, attempt });
    return !this.full;
  }
  seqs(): number[] {
    return this.got.map((g) => g.m.seq);
  }
}

const req = (topic: string, extra: Partial<SubscribeRequest> = {}): SubscribeRequest => ({ topic, ack: true, prefetch: 100, ackTimeoutMs: 60_000, ...extra });

async function sub(b: BrokerBackend, r: SubscribeRequest, sink = new Sink()): Promise<{ sink: Sink; handle: SubscriptionHandle; resumed: boolean; backlog: number }> {
  const res = await b.subscribe(r, sink);
  if (!res.ok) throw new Error(`subscribe failed: ${JSON.stringify(res)}`);
  cleanups.push(() => res.handle.close());
  res.handle.resume();
  return { sink, handle: res.handle, resumed: res.resumed, backlog: res.backlog };
}

/** Publishes and expects confirms; returns their seqs. */
async function pub(b: BrokerBackend, topic: string, n: number): Promise<number[]> {
  const results = await Promise.all(Array.from({ length: n }, (_, i) => b.publish(topic, `m${i + 1}`, undefined, { i: i + 1 }, 20)));
  return results.map((r) => {
    if (!r.ok) throw new Error(`publish failed: ${JSON.stringify(r)}`);
    return r.seq;
  });
}

/** Waits until `cond` holds; fails naming `what` after `ms`. */
async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Rejects when `p` takes longer than `ms`: a hang fails the test instead of running into vitest's timeout. */
function bounded<T>(p: T | Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([Promise.resolve(p), new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms).unref())]);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('rabbitmq backend: publish, confirm, deliver', () => {
  it('confirms with per-topic seqs and delivers seq, id, cid, t and data', async () => {
    const b = await open();
    const topic = unique('orders');
    const s = await sub(b, req(topic));
    const before = Date.now();
    const r1 = await b.publish(topic, 'o-1', 'req-9', { sku: 'A1', qty: 2 }, 40);
    const r2 = await b.publish(topic, 'o-2', undefined, [1, 'two'], 30);
    expect(await pub(b, unique('other'), 1)).toEqual([1]);
    if (!r1.ok || !r2.ok) throw new Error(`publish failed: ${JSON.stringify([r1, r2])}`);
    expect([r1.seq, r2.seq]).toEqual([1, 2]);
    expect(r1.t).toBeGreaterThanOrEqual(before - 1);
    expect(r1.t).toBeLessThanOrEqual(Date.now() + 1);
    expect(r1.t % 1).not.toBe(0); // µs precision, not Date.now()'s whole ms (fails once in ~1000 runs at most)
    await until(() => s.sink.got.length === 2, 'two deliveries');
    const [d1, d2] = s.sink.got;
    expect(d1).toMatchObject({ attempt: 1, m: { topic, seq: 1, id: 'o-1', cid: 'req-9', t: r1.t, payload: { sku: 'A1', qty: 2 } } });
    expect(d2).toMatchObject({ attempt: 1, m: { topic, seq: 2, id: 'o-2', cid: undefined, t: r2.t, payload: [1, 'two'] } });
    expect(s.handle.ack(1)).toBe(true);
    expect(s.handle.ack(2)).toBe(true);
    expect(s.handle.ack(2)).toBe(false);
    expect(b.stats()).toMatchObject({ published: 3, delivered: 2, acked: 2, unknownAcks: 1, unacked: 0, consumers: 1, subscriptions: 1 });
  });

  it('holds deliveries until the first resume, and pauses a no-ack consumer that reports full', async () => {
    const b = await open();
    const topic = unique('pause');
    const sink = new Sink();
    const res = await b.subscribe(req(topic, { ack: false, prefetch: 10 }), sink);
    if (!res.ok) throw new Error(JSON.stringify(res));
    cleanups.push(() => res.handle.close());
    await pub(b, topic, 5);
    await sleep(100);
    expect(sink.got).toEqual([]); // paused until resume()
    sink.full = true;
    res.handle.resume();
    await until(() => sink.got.length === 1, 'the first delivery');
    await sleep(100);
    expect(sink.seqs()).toEqual([1]); // full: the others wait
    sink.full = false;
    res.handle.resume();
    await until(() => sink.got.length === 5, 'the rest');
    expect(sink.seqs()).toEqual([1, 2, 3, 4, 5]);
    expect(res.handle.ack(1)).toBe(false); // no-ack mode: nothing outstanding
  });
});

describe('rabbitmq backend: faults', () => {
  it('refuses publishes at TIDEMARK_FAULT_ERROR_RATE and drops deliveries at _DROP_RATE', async () => {
    const failing = await open({ faults: { ...NO_FAULTS, errorRate: 1 } });
    expect(await failing.publish(unique('t'), 'x', undefined, 1, 1)).toMatchObject({ ok: false, code: 'injected' });
    expect(failing.stats().errorsInjected).toBe(1);
    const dropping = await open({ faults: { ...NO_FAULTS, dropRate: 1 } });
    const topic = unique('drop');
    const s = await sub(dropping, req(topic));
    await pub(dropping, topic, 3);
    await until(() => dropping.stats().droppedByFault === 3, 'three drops');
    expect(s.sink.got).toEqual([]);
    expect(dropping.stats()).toMatchObject({ delivered: 0, unacked: 0 });
  });
});

describe('rabbitmq backend: redelivery', () => {
  it('requeues a nacked delivery, which comes back with attempt 2', async () => {
    const b = await open();
    const topic = unique('nack');
    const s = await sub(b, req(topic));
    await pub(b, topic, 1);
    await until(() => s.sink.got.length === 1, 'the delivery');
    expect(s.handle.nack(1)).toBe(true);
    await until(() => s.sink.got.length === 2, 'the redelivery');
    expect(s.sink.got[1]).toMatchObject({ attempt: 2, m: { seq: 1, id: 'm1' } });
    expect(s.handle.ack(1)).toBe(true);
    expect(b.stats()).toMatchObject({ nacked: 1, redelivered: 1, acked: 1, delivered: 2 });
  });

  it('requeues a delivery whose ack timeout passed', async () => {
    const b = await open();
    const topic = unique('timeout');
    const s = await sub(b, req(topic, { ackTimeoutMs: 100 }));
    await pub(b, topic, 1);
    await until(() => s.sink.got.length === 2, 'the redelivery after the ack timeout');
    expect(s.sink.got.map((g) => g.attempt)).toEqual([1, 2]);
    expect(b.stats().ackTimeouts).toBeGreaterThanOrEqual(1);
    expect(s.handle.ack(1)).toBe(true);
  });
});

describe('rabbitmq backend: queues', () => {
  it('answers backlog_full when a subscription queue is full', async () => {
    const b = await open({ maxBacklog: 3 });
    const topic = unique('full');
    const s = await sub(b, req(topic, { prefetch: 1 }));
    // RabbitMQ's x-max-length counts ready messages: the one delivered (unacked, prefetch 1) is not among them.
    const results: PublishResult[] = [];
    for (let i = 0; i < 6; i++) results.push(await b.publish(topic, `m${i}`, undefined, i, 10));
    const refused = results.filter((r) => !r.ok);
    expect(results.slice(0, 4).every((r) => r.ok)).toBe(true);
    expect(refused.length).toBe(2);
    expect(refused[0]).toMatchObject({ code: 'backlog_full', message: expect.stringContaining('TIDEMARK_BROKER_MAX_BACKLOG') });
    expect(b.stats()).toMatchObject({ published: 4, backlogFull: 2 });
    expect(s.sink.seqs()).toEqual([1]);
  });

  it('keeps a durable subscription while detached and resumes it, outstanding deliveries first', async () => {
    const b = await open();
    const topic = unique('durable');
    const name = unique('billing');
    const first = await sub(b, req(topic, { durable: name }));
    expect(first).toMatchObject({ resumed: false, backlog: 0 });
    await pub(b, topic, 2);
    await until(() => first.sink.got.length === 2, 'two deliveries');
    first.handle.ack(1); // 2 stays outstanding
    first.handle.close();
    expect(b.stats()).toMatchObject({ durable: 1, durableDetached: 1, consumers: 0 });
    await sleep(200); // the channel close (which requeues seq 2) is asynchronous
    await pub(b, topic, 2); // seqs 3 and 4, published while detached
    await until(() => b.stats().published === 4, 'confirms');
    const again = await sub(b, req(topic, { durable: name }));
    expect(again).toMatchObject({ resumed: true, backlog: 3 });
    await until(() => again.sink.got.length === 3, 'the backlog');
    expect(again.sink.got.map((g) => [g.m.seq, g.attempt])).toEqual([
      [2, 2],
      [3, 1],
      [4, 1],
    ]);
    expect(b.stats()).toMatchObject({ durable: 1, durableDetached: 0 });
  });

  it('splits a group between its consumers', async () => {
    const b = await open();
    const topic = unique('work');
    const group = unique('g');
    const a = await sub(b, req(topic, { group }));
    const c = await sub(b, req(topic, { group }));
    expect([a.resumed, c.resumed]).toEqual([false, true]);
    expect(b.stats()).toMatchObject({ subscriptions: 1, consumers: 2 });
    await pub(b, topic, 10);
    await until(() => a.sink.got.length + c.sink.got.length === 10, 'ten deliveries');
    expect(a.sink.got.length).toBeGreaterThan(0);
    expect(c.sink.got.length).toBeGreaterThan(0);
    expect([...a.sink.seqs(), ...c.sink.seqs()].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('answers conflict when a durable queue exists with other bounds', async () => {
    const topic = unique('bounds');
    const name = unique('d');
    const b1 = await open({ durableTtlMs: 5000 });
    const first = await sub(b1, req(topic, { durable: name }));
    first.handle.close();
    const b2 = await open({ durableTtlMs: 6000 });
    const r = await b2.subscribe(req(topic, { durable: name }), new Sink());
    expect(r).toMatchObject({ ok: false, code: 'conflict', message: expect.stringContaining('TIDEMARK_BROKER_MAX_BACKLOG, _MAX_BACKLOG_BYTES or _DURABLE_TTL_MS') });
    expect(await pub(b2, topic, 1)).toEqual([1]); // the refused subscribe took only its own channel down
  });

  it('refuses group with durable', async () => {
    const b = await open();
    expect(await b.subscribe(req(unique('t'), { group: 'g', durable: 'd' }), new Sink())).toMatchObject({ ok: false, code: 'conflict' });
  });
});

/** A TCP proxy to RabbitMQ that the test can hold (confirms stop coming) and cut (the server "goes away"). */
async function proxy(): Promise<{ port: number; hold(): void; cut(): void; close(): Promise<void> }> {
  const pairs: [net.Socket, net.Socket][] = [];
  const server = net.createServer((client) => {
    const upstream = net.connect(PORT, '127.0.0.1');
    client.on('error', () => {});
    upstream.on('error', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
    pairs.push([client, upstream]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const cut = (): void => {
    for (const [c, u] of pairs) {
      c.destroy();
      u.destroy();
    }
  };
  return {
    port,
    hold: () => {
      for (const [c, u] of pairs) u.unpipe(c);
    },
    cut,
    close: () => {
      cut();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('rabbitmq backend: server failures', () => {
  it('throws naming the URL and the start command when nothing listens', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const err = await bounded(openRabbitMqBackend(options(), { TIDEMARK_RABBITMQ_PORT: String(port) }), 8000, 'connect').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain(`amqp://127.0.0.1:${port}`);
    expect((err as Error).message).toContain('npm run backend -- start rabbitmq');
  });

  it('gives up on a server that accepts but never answers, within the connect bound', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const port = (silent.address() as net.AddressInfo).port;
    const started = Date.now();
    const err = await bounded(openRabbitMqBackend(options(), { TIDEMARK_RABBITMQ_PORT: String(port) }), 8000, 'connect').catch((e: unknown) => e);
    expect((err as Error).message).toContain('npm run backend -- start rabbitmq');
    expect(Date.now() - started).toBeLessThan(7000);
  });

  it('answers unavailable, pending publishes included, when the connection goes away', async () => {
    const p = await proxy();
    cleanups.push(() => p.close());
    const b = await open({}, { TIDEMARK_RABBITMQ_PORT: String(p.port) });
    const topic = unique('lost');
    const s = await sub(b, req(topic));
    await pub(b, topic, 1);
    await until(() => s.sink.got.length === 1, 'the delivery');
    p.hold(); // confirms stop arriving: the next publish stays pending
    const pending = b.publish(topic, 'm2', undefined, 2, 10);
    await sleep(50);
    p.cut();
    const answered = await bounded(pending, 3000, 'the pending publish');
    expect(answered).toMatchObject({ ok: false, code: 'unavailable', message: expect.stringContaining('npm run backend -- start rabbitmq') });
    expect(await bounded(b.publish(topic, 'm3', undefined, 3, 10), 1000, 'a later publish')).toMatchObject({ ok: false, code: 'unavailable' });
    expect(await bounded(b.subscribe(req(unique('t')), new Sink()), 1000, 'a later subscribe')).toMatchObject({ ok: false, code: 'unavailable' });
    expect(s.handle.ack(1)).toBe(false); // its channel is gone, RabbitMQ took the delivery back
    await bounded(b.close(), 3000, 'close');
    expect(await b.publish(topic, 'm4', undefined, 4, 10)).toMatchObject({ ok: false, code: 'shutting_down' });
  });

  it('closes idempotently; later calls answer shutting_down', async () => {
    const b = await open();
    const topic = unique('close');
    await sub(b, req(topic));
    await bounded(Promise.all([b.close(), b.close()]), 3000, 'close');
    expect(await b.publish(topic, 'x', undefined, 1, 1)).toMatchObject({ ok: false, code: 'shutting_down' });
    expect(await b.subscribe(req(topic), new Sink())).toMatchObject({ ok: false, code: 'shutting_down' });
  });
});
