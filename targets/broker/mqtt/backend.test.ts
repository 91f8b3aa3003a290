/**
 * What is specific to the mqtt backend, against a real Mosquitto (`npm run backend -- start mosquitto`; port from
 * TIDEMARK_MOSQUITTO_PORT, default 1884). The protocol itself is tested over every backend elsewhere.
 * These tests do not skip: without a server they fail, naming the command that starts it.
 */
import { createServer, Socket, type Server } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Consumer, Message, PublishResult, SubscribeRequest, SubscribeResult, SubscriptionHandle } from '../backend.ts';
import { BROKER_DEFAULTS, type BrokerOptions } from '../options.ts';
import { backendServerPort } from '../backend-servers.ts';
import { NO_FAULTS } from '../../common/faults.ts';
import { openMqttBackend, type MqttBackend, type MqttTimings } from './backend.ts';
import { useBackendServers } from '../../../scripts/lib/backend-server-testing.ts';

useBackendServers('mosquitto');

const PORT = backendServerPort('mosquitto');
const ENV = { TIDEMARK_MOSQUITTO_PORT: String(PORT) };
/** Sessions of durable subscriptions left by a test expire on the server after this long. */
const OPTIONS: BrokerOptions = { ...BROKER_DEFAULTS, durableTtlMs: 5000, faults: NO_FAULTS, random: Math.random };

const open: MqttBackend[] = [];
const cleanups: (() => void)[] = [];

let serverCheck: Promise<void> | undefined;

/** Fails (never skips) with the command that starts the server when Mosquitto is not there; checked once per file. */
function requireServer(): Promise<void> {
  serverCheck ??= openMqttBackend(OPTIONS, ENV).then(
    (b) => b.close(),
    (err: unknown) => {
      throw new Error(`this test needs Mosquitto on 127.0.0.1:${PORT} (TIDEMARK_MOSQUITTO_PORT): ${(err as Error).message}`);
    },
  );
  return serverCheck;
}

async function backend(overrides: Partial<BrokerOptions> = {}, env: NodeJS.ProcessEnv = ENV, timings: Partial<MqttTimings> = {}): Promise<MqttBackend> {
  await requireServer();
  const b = await openMqttBackend({ ...OPTIONS, ...overrides }, env, timings);
  open.push(b);
  return b;
}

afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  await Promise.all(open.splice(0).map((b) => b.close()));
});

afterAll(async () => {
  await Promise.all(open.splice(0).map((b) => b.close()));
});

let counter = 0;
/** A topic no other test or run uses (durable client ids derive from it too). */
const uniqueTopic = (): string => `mqtt-test.${process.pid}.${Date.now().toString(36)}.${++counter}`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves like `p`, or fails the test after `ms`: no wait in this file is unbounded. */
async function bounded<T>(p: Promise<T> | T, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([Promise.resolve(p), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Records deliveries; `full` makes it report backpressure. */
class Sink implements Consumer {
  got: { message: Message; attempt: number }[] = [];
  full = false;
  deliver(message: Message, attempt: number): boolean {
    this.got.push({ message, attempt });
    return !this.full;
  }
  seqs(): number[] {
    return this.got.map((g) => g.message.seq);
  }
  async waitFor(n: number, ms = 5000): Promise<void> {
    const until = Date.now() + ms;
    while (this.got.length < n) {
      if (Date.now() > until) throw new Error(`expected ${n} deliveries within ${ms} ms, got ${this.got.length}: seqs ${JSON.stringify(this.seqs())}`);
      await sleep(10);
    }
  }
}

const req = (topic: string, extra: Partial<SubscribeRequest> = {}): SubscribeRequest => ({ topic, ack: true, prefetch: 100, ackTimeoutMs: 30_000, ...extra });

type Subscribed = Extract<SubscribeResult, { ok: true }>;

async function subscribe(b: MqttBackend, r: SubscribeRequest, sink = new Sink(), resume = true): Promise<Subscribed & { sink: Sink; handle: SubscriptionHandle }> {
  const res = await bounded(b.subscribe(r, sink), 10_000, 'subscribe');
  if (!res.ok) throw new Error(`subscribe failed: ${JSON.stringify(res)}`);
  if (resume) res.handle.resume();
  return { ...res, sink };
}

async function publish(b: MqttBackend, topic: string, id: string, data: unknown = id, cid?: string): Promise<PublishResult> {
  return bounded(b.publish(topic, id, cid, data, JSON.stringify(data).length + 40), 15_000, `publish ${id}`);
}

async function publishOk(b: MqttBackend, topic: string, n: number, from = 1): Promise<number[]> {
  const seqs: number[] = [];
  for (let i = from; i < from + n; i++) {
    const r = await publish(b, topic, `m${i}`);
    if (!r.ok) throw new Error(`publish failed: ${JSON.stringify(r)}`);
    seqs.push(r.seq);
  }
  return seqs;
}

describe('publish, confirm, delivery', () => {
  it('confirms on PUBACK with per-topic seq and accept time, and delivers seq, id, cid, t and data', async () => {
    const b = await backend();
    const topic = uniqueTopic();
    const s = await subscribe(b, req(topic));
    expect(s).toMatchObject({ resumed: false, backlog: 0 });
    const before = Date.now();
    const r1 = await publish(b, topic, 'm1', { sku: 'A1', qty: 2 }, 'c1');
    const r2 = await publish(b, topic, 'm2', 'two');
    const other = await publish(b, uniqueTopic(), 'o1');
    expect(r1).toMatchObject({ ok: true, seq: 1 });
    expect(r2).toMatchObject({ ok: true, seq: 2 });
    expect(other).toMatchObject({ ok: true, seq: 1 });
    if (!r1.ok || !r2.ok) throw new Error('unreachable');
    expect(r1.t).toBeGreaterThanOrEqual(before - 5);
    expect(r1.t).toBeLessThanOrEqual(Date.now() + 5);
    expect(r1.t % 1).not.toBe(0); // µs precision, not Date.now()
    await s.sink.waitFor(2);
    expect(s.sink.got).toEqual([
      { message: { topic, seq: 1, id: 'm1', cid: 'c1', t: r1.t, payload: { sku: 'A1', qty: 2 }, bytes: JSON.stringify({ sku: 'A1', qty: 2 }).length + 40 }, attempt: 1 },
      { message: { topic, seq: 2, id: 'm2', cid: undefined, t: r2.t, payload: 'two', bytes: JSON.stringify('two').length + 40 }, attempt: 1 },
    ]);
    expect(b.stats()).toMatchObject({ published: 3, delivered: 2, unacked: 2, consumers: 1, subscriptions: 1, backlogMessages: 2 });
    expect(s.handle.ack(1)).toBe(true);
    expect(s.handle.ack(1)).toBe(false);
    expect(s.handle.ack(99)).toBe(false);
    expect(b.stats()).toMatchObject({ acked: 1, unknownAcks: 2, unacked: 1, backlogMessages: 1 });
  });

  it('keeps order with more publishes in flight than the server\'s Receive Maximum (Mosquitto: 20)', async () => {
    const b = await backend();
    const topic = uniqueTopic();
    const s = await subscribe(b, req(topic, { prefetch: 1000, ack: false }));
    const results = await bounded(Promise.all(Array.from({ length: 300 }, (_, i) => b.publish(topic, `m${i + 1}`, undefined, i + 1, 10))), 15_000, 'publishes');
    expect(results.map((r) => (r.ok ? r.seq : r.code))).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    await s.sink.waitFor(300);
    expect(s.sink.got.map((g) => g.message.payload)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });

  it('starts paused, and holds deliveries at prefetch and on backpressure', async () => {
    const b = await backend();
    const topic = uniqueTopic();
    const s = await subscribe(b, req(topic, { prefetch: 2 }), new Sink(), false);
    await publishOk(b, topic, 5);
    await sleep(200);
    expect(s.sink.got).toHaveLength(0); // not before resume()
    s.handle.resume();
    await s.sink.waitFor(2);
    await sleep(100);
    expect(s.sink.seqs()).toEqual([1, 2]); // prefetch 2: the rest waits for acks
    s.handle.ack(1);
    expect(s.sink.seqs()).toEqual([1, 2, 3]);
    s.sink.full = true;
    s.handle.ack(2);
    s.handle.ack(3);
    expect(s.sink.seqs()).toEqual([1, 2, 3, 4]); // the consumer said "no more": paused after 4
    s.sink.full = false;
    s.handle.resume();
    expect(s.sink.seqs()).toEqual([1, 2, 3, 4, 5]);
  });

  it('delivers no-ack subscriptions at most once (QoS 0), nothing to ack', async () => {
    const b = await backend();
    const topic = uniqueTopic();
    const s = await subscribe(b, req(topic, { ack: false }));
    await publishOk(b, topic, 3);
    await s.sink.waitFor(3);
    expect(s.sink.got.map((g) => g.attempt)).toEqual([1, 1, 1]);
    expect(s.handle.ack(1)).toBe(false);
    expect(b.stats()).toMatchObject({ delivered: 3, unacked: 0, backlogMessages: 0 });
  });
});

describe('acks and durable subscriptions', () => {
  it('sends the PUBACK only on ack: unacked deliveries come back with attempt 2 when the durable subscriber reconnects', async () => {
    const b = await backend();
    const topic = uniqueTopic();
    const first = await subscribe(b, req(topic, { durable: 'd1' }));
    await publishOk(b, topic, 3);
    await first.sink.waitFor(3);
    expect(first.handle.ack(1)).toBe(true);
    first.handle.close();
    expect(b.stats()).toMatchObject({ durable: 1, durableDetached: 1, consumers: 0 });
    const again = await subscribe(b, req(topic, { durable: 'd1' }));
    expect(again).toMatchObject({ resumed: true, backlog: 2 });
    await again.sink.waitFor(2);
    await sleep(200);
    // seq 1 was acked (PUBACK sent): not redelivered. 2 and 3 were not: the server kept them in the session.
    expect(again.sink.got.map((g) => [g.message.seq, g.attempt])).toEqual([
      [2, 2],
      [3, 2],
    ]);
    expect(b.stats()).toMatchObject({ redelivered: 2, durableDetached: 0 });
  });

  it('resumes a durable subscription with what was published while it was detached', async () => {
    const b = await backend();
    const topic = uniqueTopic();
    const first = await subscribe(b, req(topic, { durable: 'billing' }));
    first.handle.close();
    await publishOk(b, topic, 4);
    expect(b.stats()).toMatchObject({ durableDetached: 1, backlogMessages: 4 });
    const again = await subscribe(b, req(topic, { durable: 'billing' }));
    expect(again).toMatchObject({ resumed: true, backlog: 4 });
    await again.sink.waitFor(4);
    expect(again.sink.got.map((g) => [g.message.seq, g.message.id, g.attempt])).toEqual([
      [1, 'm1', 1],
      [2, 'm2', 1],
      [3, 'm3', 1],
      [4, 'm4', 1],
    ]);
  });

  it('keeps collecting for a durable no-ack subscription while detached (QoS 1, acked on hand-over)', async () => {
    const b = await backend();
    const topic = uniqueTopic();
    const first = await subscribe(b, req(topic, { durable: 'feed', ack: false }));
    await publishOk(b, topic, 1);
    await first.sink.waitFor(1);
    first.handle.close();
    await publishOk(b, topic, 2, 2);
    const again = await subscribe(b, req(topic, { durable: 'feed', ack: false }));
    expect(again.resumed).toBe(true);
    await again.sink.waitFor(2);
    await sleep(200);
    expect(again.sink.got.map((g) => [g.message.seq, g.attempt])).toEqual([
      [2, 1],
      [3, 1],
    ]);
  });

  it('a new durable name is not resumed, and a second consumer on an attached one is refused as unsupported', async () => {
    const b = await backend();
    const topic = uniqueTopic();
    const first = await subscribe(b, req(topic, { durable: 'solo' }));
    expect(first).toMatchObject({ resumed: false, backlog: 0 });
    const second = await bounded(b.subscribe(req(topic, { durable: 'solo' }), new Sink()), 5000, 'subscribe');
    expect(second).toMatchObject({ ok: false, code: 'unsupported' });
    if (second.ok) throw new Error('unreachable');
    expect(second.message).toMatch(/mqtt backend.*several consumers on one durable subscription/);
  });
});

describe('groups', () => {
  it('splits a group\'s messages over its members (shared subscription)', async () => {
    const b = await backend();
    const topic = uniqueTopic();
    const a = await subscribe(b, req(topic, { group: 'workers' }));
    const c = await subscribe(b, req(topic, { group: 'workers' }));
    expect(a.resumed).toBe(false);
    expect(c.resumed).toBe(true); // joined a group with a member here
    const solo = await subscribe(b, req(topic));
    await publishOk(b, topic, 10);
    await solo.sink.waitFor(10);
    const until = Date.now() + 5000;
    while (a.sink.got.length + c.sink.got.length < 10 && Date.now() < until) await sleep(10);
    const seqs = [...a.sink.seqs(), ...c.sink.seqs()].sort((x, y) => x - y);
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]); // each message once across the group
    expect(a.sink.got.length).toBeGreaterThan(0);
    expect(c.sink.got.length).toBeGreaterThan(0);
    expect(b.stats()).toMatchObject({ subscriptions: 2, consumers: 3 });
  });
});

describe('what MQTT cannot give', () => {
  it('declares nack and ack timeouts unsupported, naming the backend and the feature, and really does neither', async () => {
    const b = await backend();
    expect(b.unsupported.nack).toMatch(/mqtt backend does not support nack/);
    expect(b.unsupported.ackTimeoutMs).toMatch(/mqtt backend does not support ack timeouts \(ackTimeoutMs\)/);
    const topic = uniqueTopic();
    const s = await subscribe(b, req(topic, { ackTimeoutMs: 50 }));
    await publishOk(b, topic, 1);
    await s.sink.waitFor(1);
    expect(s.handle.nack(1)).toBe(false);
    await sleep(400);
    expect(s.sink.got).toHaveLength(1); // neither the nack nor the 50 ms timeout redelivered it
    expect(b.stats()).toMatchObject({ nacked: 0, ackTimeouts: 0, redelivered: 0, unacked: 1 });
    expect(s.handle.ack(1)).toBe(true); // still outstanding after the nack
  });

  it('refuses publishes with backlog_full before Mosquitto would drop messages', async () => {
    const b = await backend({ maxBacklog: 3 });
    const topic = uniqueTopic();
    const s = await subscribe(b, req(topic));
    await publishOk(b, topic, 3);
    const refused = await publish(b, topic, 'm4');
    expect(refused).toMatchObject({ ok: false, code: 'backlog_full' });
    await s.sink.waitFor(3);
    s.handle.ack(1);
    expect(await publish(b, topic, 'm4')).toMatchObject({ ok: true, seq: 4 });
    expect(b.stats()).toMatchObject({ backlogFull: 1, published: 4 });
  });
});

/** A TCP relay to Mosquitto that a test can stall or cut, to play a server that hangs or goes away. */
async function relay(): Promise<{ port: number; stall: () => void; cut: () => void; server: Server }> {
  const sockets = new Set<Socket>();
  let stalled = false;
  const server = createServer((client) => {
    const upstream = new Socket();
    sockets.add(client).add(upstream);
    upstream.connect(PORT, '127.0.0.1');
    client.on('data', (d) => {
      if (!stalled) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!stalled) client.write(d);
    });
    for (const s of [client, upstream]) {
      s.on('error', () => {});
      s.on('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const cut = (): void => {
    for (const s of sockets) s.destroy();
  };
  cleanups.push(() => {
    cut();
    server.close();
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('relay has no port');
  return { port: address.port, stall: () => (stalled = true), cut, server };
}

describe('server trouble', () => {
  it('names the URL and the start command when the server cannot be reached', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const address = probe.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    await new Promise<void>((r) => probe.close(() => r()));
    const err = await bounded(
      openMqttBackend(OPTIONS, { TIDEMARK_MOSQUITTO_PORT: String(address.port) }).then(
        () => undefined,
        (e: unknown) => e as Error,
      ),
      5000,
      'open',
    );
    expect(err?.message).toContain(`mqtt://127.0.0.1:${address.port}`);
    expect(err?.message).toContain('npm run backend -- start mosquitto');
  });

  it('gives up on a server that accepts but never answers, within the connect bound', async () => {
    const silent = createServer((s) => s.on('error', () => {}));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    cleanups.push(() => silent.close());
    const address = silent.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const started = Date.now();
    const err = await bounded(
      openMqttBackend(OPTIONS, { TIDEMARK_MOSQUITTO_PORT: String(address.port) }, { connectMs: 300 }).then(
        () => undefined,
        (e: unknown) => e as Error,
      ),
      5000,
      'open',
    );
    expect(Date.now() - started).toBeLessThan(3000);
    expect(err?.message).toMatch(/cannot connect to the MQTT server at mqtt:\/\/127\.0\.0\.1:\d+ .*npm run backend -- start mosquitto/);
  });

  it('answers unavailable, without hanging, when the connection goes away mid-use', async () => {
    const r = await relay();
    const b = await backend({}, { TIDEMARK_MOSQUITTO_PORT: String(r.port) });
    const topic = uniqueTopic();
    const s = await subscribe(b, req(topic));
    await publishOk(b, topic, 1);
    await s.sink.waitFor(1);
    r.stall();
    const inFlight = b.publish(topic, 'lost', undefined, 'x', 1); // sent, its PUBACK never comes
    await sleep(50);
    r.cut();
    const answer = await bounded(inFlight, 5000, 'in-flight publish');
    expect(answer).toMatchObject({ ok: false, code: 'unavailable' });
    if (answer.ok) throw new Error('unreachable');
    expect(answer.message).toContain(`mqtt://127.0.0.1:${r.port}`);
    expect(answer.message).toContain('npm run backend -- start mosquitto');
    expect(await publish(b, topic, 'later')).toMatchObject({ ok: false, code: 'unavailable' });
    expect(await bounded(b.subscribe(req(uniqueTopic()), new Sink()), 5000, 'subscribe')).toMatchObject({ ok: false, code: 'unavailable' });
    expect(s.handle.ack(1)).toBe(false); // the connection that got it is gone
    await bounded(b.close(), 5000, 'close');
  });

  it('answers unavailable when the server stops confirming publishes (stalled, not closed)', async () => {
    const r = await relay();
    const b = await backend({}, { TIDEMARK_MOSQUITTO_PORT: String(r.port) }, { publishMs: 300, tickMs: 50, endMs: 200 });
    const topic = uniqueTopic();
    await publishOk(b, topic, 1);
    r.stall();
    const answer = await bounded(b.publish(topic, 'stuck', undefined, 'x', 1), 3000, 'stalled publish');
    expect(answer).toMatchObject({ ok: false, code: 'unavailable' });
    if (answer.ok) throw new Error('unreachable');
    expect(answer.message).toMatch(/did not confirm the publish within 300 ms/);
    await bounded(b.close(), 3000, 'close');
  });

  it('close ends every connection once; later calls answer shutting_down', async () => {
    const b = await backend();
    const topic = uniqueTopic();
    await subscribe(b, req(topic));
    await bounded(Promise.all([b.close(), b.close()]), 5000, 'close');
    expect(await publish(b, topic, 'after')).toMatchObject({ ok: false, code: 'shutting_down' });
    expect(await bounded(b.subscribe(req(topic), new Sink()), 5000, 'subscribe')).toMatchObject({ ok: false, code: 'shutting_down' });
    expect(b.stats()).toMatchObject({ consumers: 0, topics: 0 });
  });
});
