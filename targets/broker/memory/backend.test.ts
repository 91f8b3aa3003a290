import { afterEach, describe, expect, it } from 'vitest';
import type { Consumer, Message, SubscribeRequest, SubscriptionHandle } from '../backend.ts';
import { NO_FAULTS } from '../../common/faults.ts';
import { MemoryBackend, type MemoryBackendOptions } from './backend.ts';

const backends: MemoryBackend[] = [];
afterEach(() => {
  for (const b of backends.splice(0)) b.close();
});

function backend(overrides: Partial<MemoryBackendOptions> = {}): MemoryBackend {
  const b = new MemoryBackend({ scanMs: 10, ...overrides });
  backends.push(b);
  return b;
}

/** A consumer that records deliveries; `full` makes it report backpressure. */
class Sink implements Consumer {
  got: { seq: number; id: string; attempt: number }[] = [];
  full = false;
  deliver(m: Message, attempt: number): boolean {
    this.got.push({ seq: m.seq, id: m.id, attempt });
    return !this.full;
  }
  seqs(): number[] {
    return this.got.map((g) => g.seq);
  }
}

const req = (topic: string, extra: Partial<SubscribeRequest> = {}): SubscribeRequest => ({ topic, ack: true, prefetch: 100, ackTimeoutMs: 60_000, ...extra });

function sub(b: MemoryBackend, r: SubscribeRequest, sink = new Sink()): { sink: Sink; handle: SubscriptionHandle; resumed: boolean; backlog: number } {
  const res = b.subscribe(r, sink);
  if (res instanceof Promise || !res.ok) throw new Error(`subscribe failed: ${JSON.stringify(res)}`);
  res.handle.resume();
  return { sink, handle: res.handle, resumed: res.resumed, backlog: res.backlog };
}

function pub(b: MemoryBackend, topic: string, n: number, from = 1): number[] {
  const seqs: number[] = [];
  for (let i = from; i < from + n; i++) {
    const r = b.publish(topic, `m${i}`, undefined, 'x', 3);
    if (r instanceof Promise || !r.ok) throw new Error(`publish failed: ${JSON.stringify(r)}`);
    seqs.push(r.seq);
  }
  return seqs;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('publish and fan-out', () => {
  it('numbers messages per topic and delivers each to every subscription in order', () => {
    const b = backend();
    const a = sub(b, req('t'));
    const c = sub(b, req('t'));
    expect(pub(b, 't', 3)).toEqual([1, 2, 3]);
    expect(pub(b, 'other', 1)).toEqual([1]);
    expect(a.sink.seqs()).toEqual([1, 2, 3]);
    expect(c.sink.got.map((g) => g.id)).toEqual(['m1', 'm2', 'm3']);
    expect(b.stats()).toMatchObject({ published: 4, delivered: 6, unacked: 6, backlogMessages: 3 });
  });

  it('holds messages until every subscription acked them, then releases them', () => {
    const b = backend();
    const a = sub(b, req('t'));
    const c = sub(b, req('t'));
    pub(b, 't', 3);
    for (const s of [1, 2, 3]) expect(a.handle.ack(s)).toBe(true);
    expect(b.stats().backlogMessages).toBe(3);
    c.handle.ack(2);
    c.handle.ack(1);
    expect(b.stats().backlogMessages).toBe(1); // 3 is still outstanding on c
    c.handle.ack(3);
    expect(b.stats()).toMatchObject({ backlogMessages: 0, backlogBytes: 0, acked: 6, unacked: 0 });
    expect(a.handle.ack(3)).toBe(false);
    expect(b.stats().unknownAcks).toBe(1);
  });

  it('does not hold messages nobody subscribed to', () => {
    const b = backend();
    pub(b, 't', 5);
    expect(b.stats()).toMatchObject({ published: 5, delivered: 0, backlogMessages: 0 });
  });

  it('starts a new subscription at the next message and a handle paused until resume', () => {
    const b = backend();
    pub(b, 't', 2);
    const sink = new Sink();
    const res = b.subscribe(req('t'), sink);
    if (res instanceof Promise || !res.ok) throw new Error('subscribe failed');
    pub(b, 't', 1, 3);
    expect(sink.got).toEqual([]);
    res.handle.resume();
    expect(sink.seqs()).toEqual([3]);
  });
});

describe('at-least-once', () => {
  it('nack redelivers with a higher attempt number', () => {
    const b = backend();
    const a = sub(b, req('t'));
    pub(b, 't', 2);
    expect(a.handle.nack(1)).toBe(true);
    expect(a.sink.got).toEqual([
      { seq: 1, id: 'm1', attempt: 1 },
      { seq: 2, id: 'm2', attempt: 1 },
      { seq: 1, id: 'm1', attempt: 2 },
    ]);
    a.handle.nack(1);
    expect(a.sink.got.at(-1)).toEqual({ seq: 1, id: 'm1', attempt: 3 });
    expect(b.stats()).toMatchObject({ nacked: 2, redelivered: 2, delivered: 4 });
  });

  it('redelivers what is not acked within the ack timeout, and not before', async () => {
    const b = backend({ scanMs: 5 });
    const a = sub(b, req('t', { ackTimeoutMs: 60 }));
    pub(b, 't', 2);
    a.handle.ack(2);
    await sleep(30);
    expect(a.sink.got).toHaveLength(2);
    await sleep(80);
    expect(a.sink.got.slice(2)).toEqual([{ seq: 1, id: 'm1', attempt: 2 }]);
    expect(b.stats().ackTimeouts).toBe(1);
  });

  it('caps outstanding deliveries at prefetch and continues on ack', () => {
    const b = backend();
    const a = sub(b, req('t', { prefetch: 2 }));
    pub(b, 't', 5);
    expect(a.sink.seqs()).toEqual([1, 2]);
    a.handle.ack(1);
    expect(a.sink.seqs()).toEqual([1, 2, 3]);
    a.handle.ack(2);
    a.handle.ack(3);
    expect(a.sink.seqs()).toEqual([1, 2, 3, 4, 5]);
  });

  it('no-ack mode finishes each message once handed over', () => {
    const b = backend();
    const a = sub(b, req('t', { ack: false, prefetch: 1 }));
    pub(b, 't', 3);
    expect(a.sink.seqs()).toEqual([1, 2, 3]);
    expect(b.stats()).toMatchObject({ unacked: 0, backlogMessages: 0 });
  });

  it('pauses a consumer that reports being full and continues on resume', () => {
    const b = backend();
    const a = sub(b, req('t', { ack: false }));
    a.sink.full = true;
    pub(b, 't', 3);
    expect(a.sink.seqs()).toEqual([1]);
    expect(b.stats().backlogMessages).toBe(2);
    a.sink.full = false;
    a.handle.resume();
    expect(a.sink.seqs()).toEqual([1, 2, 3]);
  });
});

describe('groups', () => {
  it('splits a group round robin and hands a leaving member its deliveries back', () => {
    const b = backend();
    const x = sub(b, req('t', { group: 'g' }));
    const y = sub(b, req('t', { group: 'g' }));
    expect(y.resumed).toBe(true);
    const solo = sub(b, req('t'));
    pub(b, 't', 4);
    expect(x.sink.seqs()).toEqual([1, 3]);
    expect(y.sink.seqs()).toEqual([2, 4]);
    expect(solo.sink.seqs()).toEqual([1, 2, 3, 4]);
    x.handle.ack(1);
    x.handle.close();
    expect(y.sink.got.slice(2)).toEqual([{ seq: 3, id: 'm3', attempt: 2 }]);
  });

  it('drops a non-durable group when its last member leaves', () => {
    const b = backend();
    const x = sub(b, req('t', { group: 'g' }));
    pub(b, 't', 2);
    x.handle.close();
    expect(b.stats()).toMatchObject({ subscriptions: 0, backlogMessages: 0 });
  });
});

describe('durable subscriptions', () => {
  it('resume after a disconnect with what was published meanwhile and the unacked deliveries', () => {
    const b = backend();
    const first = sub(b, req('t', { durable: 'd' }));
    expect(first.resumed).toBe(false);
    pub(b, 't', 3);
    first.handle.ack(1);
    first.handle.close(); // 2 and 3 outstanding
    pub(b, 't', 2, 4);
    expect(b.stats()).toMatchObject({ durable: 1, durableDetached: 1, backlogMessages: 4 });
    const again = sub(b, req('t', { durable: 'd' }));
    expect(again.resumed).toBe(true);
    expect(again.backlog).toBe(4);
    expect(again.sink.got).toEqual([
      { seq: 2, id: 'm2', attempt: 2 },
      { seq: 3, id: 'm3', attempt: 2 },
      { seq: 4, id: 'm4', attempt: 1 },
      { seq: 5, id: 'm5', attempt: 1 },
    ]);
    expect(b.stats().durableDetached).toBe(0);
  });

  it('expire after the time to live without a consumer, releasing their messages', async () => {
    const b = backend({ durableTtlMs: 1 });
    sub(b, req('t', { durable: 'd' })).handle.close();
    pub(b, 't', 3);
    expect(b.stats().backlogMessages).toBe(3);
    await sleep(1100); // housekeeping runs once a second
    expect(b.stats()).toMatchObject({ durable: 0, durableExpired: 1, backlogMessages: 0 });
  });

  it('refuse group and durable together, and more durable subscriptions than the limit', () => {
    const b = backend({ maxDurable: 1 });
    expect(b.subscribe(req('t', { group: 'g', durable: 'd' }), new Sink())).toMatchObject({ ok: false, code: 'conflict' });
    sub(b, req('t', { durable: 'd1' }));
    expect(b.subscribe(req('t', { durable: 'd2' }), new Sink())).toMatchObject({ ok: false, code: 'limit' });
  });
});

describe('bounds and faults', () => {
  it('refuses publishes with backlog_full once the backlog bound is reached, and accepts again after acks', () => {
    const b = backend({ maxBacklog: 3 });
    const a = sub(b, req('t', { durable: 'd' }));
    a.handle.close();
    pub(b, 't', 3);
    const r = b.publish('t', 'm4', undefined, 'x', 3);
    expect(r).toMatchObject({ ok: false, code: 'backlog_full' });
    expect((r as { message: string }).message).toContain('TIDEMARK_BROKER_MAX_BACKLOG');
    const again = sub(b, req('t', { durable: 'd' }));
    for (const s of [1, 2, 3]) again.handle.ack(s);
    expect(b.publish('t', 'm4', undefined, 'x', 3)).toMatchObject({ ok: true, seq: 4 });
    expect(b.stats().backlogFull).toBe(1);
  });

  it('bounds backlog bytes too', () => {
    const b = backend({ maxBacklogBytes: 10 });
    sub(b, req('t', { ack: true }));
    expect(b.publish('t', 'a', undefined, '12345678', 10)).toMatchObject({ ok: true });
    expect(b.publish('t', 'b', undefined, '1', 1)).toMatchObject({ ok: false, code: 'backlog_full' });
  });

  it('refuses more topics than the limit', () => {
    const b = backend({ maxTopics: 1 });
    pub(b, 'a', 1);
    expect(b.publish('b', 'x', undefined, 1, 1)).toMatchObject({ ok: false, code: 'limit' });
  });

  it('TIDEMARK_FAULT_ERROR_RATE refuses publishes; DROP_RATE loses deliveries for good', () => {
    let draws = 0;
    const alternate = (): number => (draws++ % 2 === 0 ? 0 : 0.99);
    const b = backend({ faults: { ...NO_FAULTS, errorRate: 0.5 }, random: alternate });
    expect(b.publish('t', 'a', undefined, 1, 1)).toMatchObject({ ok: false, code: 'injected' });
    expect(b.publish('t', 'b', undefined, 1, 1)).toMatchObject({ ok: true });

    draws = 0;
    const d = backend({ faults: { ...NO_FAULTS, dropRate: 0.5 }, random: alternate, scanMs: 5 });
    const a = sub(d, req('t', { ackTimeoutMs: 20 }));
    pub(d, 't', 4);
    expect(a.sink.seqs()).toEqual([2, 4]);
    expect(d.stats()).toMatchObject({ droppedByFault: 2, delivered: 2, unacked: 2 });
  });

  it('TIDEMARK_FAULT_DELAY_MS delays deliveries, not confirms', async () => {
    const b = backend({ faults: { ...NO_FAULTS, delayMs: 30 } });
    const a = sub(b, req('t'));
    const r = b.publish('t', 'a', undefined, 1, 1);
    expect(r).toMatchObject({ ok: true, seq: 1 });
    expect(a.sink.got).toEqual([]);
    await sleep(60);
    expect(a.sink.seqs()).toEqual([1]);
  });

  it('answers shutting_down after close', () => {
    const b = backend();
    b.close();
    expect(b.publish('t', 'a', undefined, 1, 1)).toMatchObject({ ok: false, code: 'shutting_down' });
  });
});
