/**
 * The broker protocol over every backend, with the real servers (RabbitMQ, Mosquitto) started by the project:
 * the same cases, parametrized by backend. What a backend cannot give is answered with an `unsupported` error
 * frame naming the backend and the feature.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { useBackendServers } from '../../scripts/lib/backend-server-testing.ts';
import type { BrokerBackend } from './backend.ts';
import { BROKER_BACKENDS, openBrokerBackend, type BrokerBackendName } from './backend-choice.ts';
import { brokerOptionsFromEnv } from './options.ts';
import { createBrokerServer, type BrokerServer } from './server.ts';
import { connectBroker, type BrokerClient, type Frame } from './test-client.ts';

useBackendServers('rabbitmq', 'mosquitto');

/** Features each backend answers `unsupported` (targets/broker/README.md, "Backends"); checked against its declaration below. */
const UNSUPPORTED: Record<BrokerBackendName, ReadonlySet<string>> = {
  memory: new Set(),
  rabbitmq: new Set(),
  mqtt: new Set(['nack', 'ackTimeoutMs', 'durableShared']),
};

describe.each(BROKER_BACKENDS)('broker protocol on the %s backend', (backend) => {
  let server: BrokerServer;
  let store: BrokerBackend;
  let url: string;
  const clients: BrokerClient[] = [];
  const connect = async (): Promise<BrokerClient> => {
    const c = await connectBroker(url);
    clients.push(c);
    return c;
  };
  /** A topic no earlier run against the same server used. */
  const topic = (): string => `t-${randomUUID().slice(0, 8)}`;
  const msgs = (c: BrokerClient, t: string): Frame[] => c.ofOp('msg').filter((f) => f.topic === t);
  const publish = (c: BrokerClient, t: string, n: number, from = 1): void => {
    for (let i = from; i < from + n; i++) c.send({ op: 'pub', topic: t, id: `m-${i}`, cid: `c-${i}`, data: { i } });
  };

  beforeAll(async () => {
    const options = brokerOptionsFromEnv({});
    store = await openBrokerBackend(backend, options);
    server = createBrokerServer(options, store);
    const address = await server.listen(0);
    url = `ws://127.0.0.1:${address.port}/ws`;
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('confirms each publish with its seq and delivers it with id, cid and accept time, in order', async () => {
    const t = topic();
    const sub = await connect();
    expect(await sub.subscribe(t)).toMatchObject({ op: 'subscribed', topic: t, mode: 'ack' });
    const pub = await connect();
    publish(pub, t, 20);
    await pub.waitFor((c) => c.ofOp('ok').length === 20, 10_000);
    await sub.waitFor((c) => msgs(c, t).length === 20, 10_000);
    const oks = pub.ofOp('ok');
    expect(oks.map((f) => f.id)).toEqual(Array.from({ length: 20 }, (_, i) => `m-${i + 1}`));
    const got = msgs(sub, t);
    expect(got.map((f) => f.seq)).toEqual(oks.map((f) => f.seq));
    expect(got.map((f) => f.seq)).toEqual([...got.map((f) => f.seq as number)].sort((a, b) => a - b));
    expect(got[0]).toMatchObject({ id: 'm-1', cid: 'c-1', data: { i: 1 } });
    expect(Math.abs((got[0]!.t as number) - Date.now())).toBeLessThan(10_000);
    expect(pub.ofOp('error')).toEqual([]);
  });

  it('gives every private subscriber every message', async () => {
    const t = topic();
    const [a, b] = [await connect(), await connect()];
    await a.subscribe(t, { ack: false });
    await b.subscribe(t, { ack: false });
    const pub = await connect();
    publish(pub, t, 10);
    await a.waitFor((c) => msgs(c, t).length === 10, 10_000);
    await b.waitFor((c) => msgs(c, t).length === 10, 10_000);
  });

  it('splits a group\'s messages between its members, none twice', async () => {
    const t = topic();
    const [a, b] = [await connect(), await connect()];
    await a.subscribe(t, { group: 'g', ack: false });
    await b.subscribe(t, { group: 'g', ack: false });
    const pub = await connect();
    publish(pub, t, 40);
    await pub.waitFor((c) => c.ofOp('ok').length === 40, 10_000);
    const all = (): string[] => [...msgs(a, t), ...msgs(b, t)].map((f) => f.id as string);
    // Frames arrive on two connections: poll rather than wait on one of them.
    await vi.waitFor(() => expect(all().length).toBeGreaterThanOrEqual(40), { timeout: 10_000, interval: 20 });
    await new Promise((r) => setTimeout(r, 100)); // a duplicate would arrive by now
    expect(new Set(all()).size).toBe(40);
    expect(all().length).toBe(40);
  });

  it('keeps a durable subscription\'s messages while it has no consumer and resumes it', async () => {
    const t = topic();
    const durable = `d-${randomUUID().slice(0, 8)}`;
    const first = await connect();
    expect(await first.subscribe(t, { durable })).toMatchObject({ op: 'subscribed', durable, resumed: false });
    first.close();
    await first.closed;
    await new Promise((r) => setTimeout(r, 200)); // the backend sees the consumer leave
    const pub = await connect();
    publish(pub, t, 5);
    await pub.waitFor((c) => c.ofOp('ok').length === 5, 10_000);
    const again = await connect();
    expect(await again.subscribe(t, { durable })).toMatchObject({ op: 'subscribed', durable, resumed: true });
    await again.waitFor((c) => msgs(c, t).length >= 5, 10_000);
    expect(new Set(msgs(again, t).map((f) => f.id))).toEqual(new Set(['m-1', 'm-2', 'm-3', 'm-4', 'm-5']));
  });

  it('settles acks with a receipt, and nacks by redelivering or with an unsupported error', async () => {
    const t = topic();
    const sub = await connect();
    await sub.subscribe(t);
    const pub = await connect();
    publish(pub, t, 2);
    await sub.waitFor((c) => msgs(c, t).length === 2, 10_000);
    const [m1, m2] = msgs(sub, t);
    sub.send({ op: 'ack', topic: t, seq: m1!.seq, receipt: true });
    await sub.waitFor((c) => c.ofOp('acked').length === 1, 10_000);
    expect(sub.ofOp('acked')[0]).toMatchObject({ topic: t, seq: m1!.seq, known: true });
    sub.send({ op: 'nack', topic: t, seq: m2!.seq });
    if (UNSUPPORTED[backend].has('nack')) {
      await sub.waitFor((c) => c.ofOp('error').length === 1, 10_000);
      const e = sub.ofOp('error')[0]!;
      expect(e).toMatchObject({ code: 'unsupported', topic: t });
      expect(e.message).toContain(backend);
      expect(e.message).toContain('nack');
    } else {
      await sub.waitFor((c) => msgs(c, t).length === 3, 10_000);
      expect(msgs(sub, t)[2]).toMatchObject({ id: m2!.id, seq: m2!.seq, attempt: 2 });
    }
  });

  it('honours an explicit ack timeout or refuses it with an unsupported error', async () => {
    const t = topic();
    const sub = await connect();
    const answer = await sub.subscribe(t, { ackTimeoutMs: 200 });
    if (UNSUPPORTED[backend].has('ackTimeoutMs')) {
      expect(answer).toMatchObject({ op: 'error', code: 'unsupported', topic: t });
      expect(answer.message).toContain(backend);
      return;
    }
    const pub = await connect();
    publish(pub, t, 1);
    // Never acked: delivered again once the timeout passed.
    await sub.waitFor((c) => msgs(c, t).length >= 2, 10_000);
    expect(msgs(sub, t)[1]).toMatchObject({ id: 'm-1', attempt: 2 });
  });

  it('names its backend in /stats', () => {
    expect(server.stats()).toMatchObject({ target: 'broker', backend });
  });

  it('declares the same unsupported features the scenarios refuse up front', async () => {
    const { BROKER_BACKEND_UNSUPPORTED } = await import('../../scenarios/lib/broker-backends.ts');
    const declared = new Set(Object.keys(store.unsupported ?? {}));
    expect(new Set(BROKER_BACKEND_UNSUPPORTED[backend])).toEqual(declared);
    expect(UNSUPPORTED[backend]).toEqual(declared);
  });
});
