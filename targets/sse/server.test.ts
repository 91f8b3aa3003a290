import { afterEach, describe, expect, it } from 'vitest';
import { get } from 'node:http';
import * as hdr from 'hdr-histogram-js';
import type { HandlingTimeSnapshot } from '../common/handling-time.ts';
import { NO_FAULTS, type FaultConfig } from '../common/faults.ts';
import type { SseOptions } from './options.ts';
import { createSseServer, type SseServer } from './server.ts';
import { lastId, openSse, tickIds, type TestClient } from './test-client.ts';

const servers: SseServer[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Starts a server on a free loopback port with no faults unless given. */
async function start(overrides: Partial<Omit<SseOptions, 'faults'>> & { faults?: Partial<FaultConfig> } = {}): Promise<{ server: SseServer; url: string }> {
  const server = createSseServer({ ...overrides, faults: { ...NO_FAULTS, ...overrides.faults } });
  servers.push(server);
  const address = await server.listen(0);
  return { server, url: `http://127.0.0.1:${address.port}` };
}

async function open(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
  const c = await openSse(url, headers);
  clients.push(c);
  return c;
}

interface Tick {
  seq: number;
  t: number;
  topic: string;
  p: string;
}

const ticks = (c: TestClient): Tick[] => c.events.filter((e) => e.event === 'tick').map((e) => JSON.parse(e.data) as Tick);
const consecutive = (ids: number[]): boolean => ids.every((id, i) => i === 0 || id === ids[i - 1]! + 1);

function getJson<T>(url: string): Promise<T> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(JSON.parse(body) as T));
    }).on('error', reject);
  });
}

describe('GET /events', () => {
  it('streams parseable tick events with increasing ids, retry first', async () => {
    const { url } = await start();
    const before = Date.now();
    const c = await open(`${url}/events?rate=200&size=10`);
    expect(c.status).toBe(200);
    expect(c.headers['content-type']).toMatch(/^text\/event-stream/);
    await c.waitFor((x) => x.events.length >= 20);
    expect(c.retry).toBe(1000);
    const ids = tickIds(c);
    expect(ids[0]).toBe(1);
    expect(consecutive(ids)).toBe(true);
    for (const [i, tick] of ticks(c).entries()) {
      expect(tick.seq).toBe(ids[i]);
      expect(tick.topic).toBe('');
      expect(tick.p).toHaveLength(10);
      expect(tick.t).toBeGreaterThanOrEqual(before - 50);
      expect(tick.t).toBeLessThanOrEqual(Date.now() + 50);
    }
  });

  it('keeps the asked rate: 50 events/s for 1 s gives 40..60 events', async () => {
    const { url } = await start();
    const c = await open(`${url}/events?rate=50`);
    await new Promise((r) => setTimeout(r, 1000));
    const n = c.events.length;
    expect(n).toBeGreaterThanOrEqual(40);
    expect(n).toBeLessThanOrEqual(60);
  });

  it('size 0 and fractional rates are valid', async () => {
    const { url } = await start();
    const c = await open(`${url}/events?rate=0.5&size=0`);
    await c.waitFor((x) => x.events.length >= 1);
    expect(ticks(c)[0]!.p).toBe('');
  });

  it('sends heartbeat comments', async () => {
    const { url } = await start({ heartbeatMs: 50 });
    const c = await open(`${url}/events?rate=1`);
    await new Promise((r) => setTimeout(r, 160));
    expect(c.comments).toContain('hb');
  });

  it('a private stream resumed with Last-Event-ID continues at id + 1', async () => {
    const { url } = await start();
    const c = await open(`${url}/events?rate=100`, { 'last-event-id': '41' });
    await c.waitFor((x) => x.events.length >= 3);
    expect(tickIds(c).slice(0, 3)).toEqual([42, 43, 44]);
    const q = await open(`${url}/events?rate=100&lastEventId=7`);
    await q.waitFor((x) => x.events.length >= 1);
    expect(tickIds(q)[0]).toBe(8);
  });
});

describe('topics', () => {
  it('fan-out gives every subscriber the same events, byte for byte', async () => {
    const { url } = await start();
    const a = await open(`${url}/events?topic=fan&rate=200&size=16`);
    await a.waitFor((x) => x.events.length >= 5);
    const b = await open(`${url}/events?topic=fan`);
    await b.waitFor((x) => x.events.length >= 20);
    const first = Number(b.events[0]!.id);
    await a.waitFor((x) => lastId(x) >= lastId(b));
    const fromA = a.events.filter((e) => Number(e.id) >= first).slice(0, b.events.length).map((e) => e.data);
    expect(fromA).toEqual(b.events.map((e) => e.data));
    expect(consecutive(tickIds(b))).toBe(true);
    expect(ticks(b)[0]!.topic).toBe('fan');
  });

  it('resume with Last-Event-ID replays exactly the missed events, no gap, no duplicate', async () => {
    const { server, url } = await start();
    const a = await open(`${url}/events?topic=resume&rate=200`);
    await a.waitFor((x) => x.events.length >= 10);
    a.close();
    const seen = lastId(a);
    await new Promise((r) => setTimeout(r, 100)); // about 20 events produced meanwhile
    const b = await open(`${url}/events?topic=resume`, { 'last-event-id': String(seen) });
    await b.waitFor((x) => x.events.length >= 40);
    const ids = tickIds(b);
    expect(ids[0]).toBe(seen + 1);
    expect(consecutive(ids)).toBe(true);
    expect(b.events.some((e) => e.event === 'lost')).toBe(false);
    // The query parameter works the same for clients that cannot set headers.
    const q = await open(`${url}/events?topic=resume&lastEventId=${seen}`);
    await q.waitFor((x) => x.events.length >= 5);
    expect(tickIds(q)[0]).toBe(seen + 1);
    expect(server.stats().resumes).toBe(2);
  });

  it('reports evicted events with event: lost, then replays the buffer', async () => {
    const { server, url } = await start({ bufferEvents: 5 });
    const a = await open(`${url}/events?topic=evict&rate=500`);
    await a.waitFor((x) => x.events.length >= 3);
    a.close();
    const seen = lastId(a);
    await new Promise((r) => setTimeout(r, 100)); // ~50 events, only 5 kept
    const b = await open(`${url}/events?topic=evict`, { 'last-event-id': String(seen) });
    await b.waitFor((x) => x.events.length >= 10);
    const [notice, ...rest] = b.events;
    expect(notice!.event).toBe('lost');
    expect(notice!.id).toBeUndefined();
    const lost = JSON.parse(notice!.data) as { lost: number; from: number; to: number };
    const ids = rest.map((e) => Number(e.id));
    expect(lost.from).toBe(seen + 1);
    expect(lost.to).toBe(ids[0]! - 1);
    expect(lost.lost).toBe(lost.to - lost.from + 1);
    expect(lost.lost).toBeGreaterThan(20);
    expect(consecutive(ids)).toBe(true);
    const s = server.stats();
    expect(s.lostReported).toBe(lost.lost);
    expect(s.lostNotices).toBe(1);
  });

  it('a resuming client that re-creates a topic continues its numbering', async () => {
    const { url } = await start();
    const c = await open(`${url}/events?topic=fresh&rate=100`, { 'last-event-id': '100' });
    await c.waitFor((x) => x.events.length >= 2);
    expect(tickIds(c).slice(0, 2)).toEqual([101, 102]);
    const far = await open(`${url}/events?topic=fresh`, { 'last-event-id': '999999' });
    expect(far.status).toBe(409);
    expect(far.body).toContain('ahead of topic "fresh"');
  });

  it('answers 409 naming the topic and its settings when rate or size differ', async () => {
    const { url } = await start();
    await open(`${url}/events?topic=fixed&rate=10&size=8`);
    const c = await open(`${url}/events?topic=fixed&rate=20`);
    expect(c.status).toBe(409);
    expect(c.body).toContain('topic "fixed" already runs at rate=10 size=8');
    const same = await open(`${url}/events?topic=fixed&size=8`);
    expect(same.status).toBe(200);
  });

  it('stops an idle topic after the grace period', async () => {
    const { server, url } = await start({ graceMs: 50 });
    const c = await open(`${url}/events?topic=idle&rate=100`);
    await c.waitFor((x) => x.events.length >= 1);
    expect(server.stats().topicSubscribers).toEqual({ idle: 1 });
    c.close();
    await new Promise((r) => setTimeout(r, 30));
    expect(server.stats().topics).toBe(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(server.stats().topics).toBe(0);
  });
});

describe('limits and errors', () => {
  it('answers 400 naming the bad parameter and its range', async () => {
    const { url } = await start();
    const cases: [string, Record<string, string>, string][] = [
      ['rate=0', {}, 'rate="0" is invalid'],
      ['rate=1001', {}, '0 < rate <= 1000'],
      ['rate=abc', {}, 'rate="abc"'],
      ['size=-1', {}, 'from 0 to 65536'],
      ['size=65537', {}, 'size="65537"'],
      ['topic=no%20spaces', {}, '[A-Za-z0-9_.-]'],
      ['', { 'last-event-id': 'x1' }, 'Last-Event-ID "x1" is invalid'],
    ];
    for (const [query, headers, text] of cases) {
      const c = await open(`${url}/events?${query}`, headers);
      expect(c.status, query).toBe(400);
      expect(c.body, query).toContain(text);
    }
  });

  it('answers 503 beyond the connection and topic limits, with how to raise them', async () => {
    const { server, url } = await start({ maxConnections: 2, maxTopics: 1 });
    await open(`${url}/events?topic=one`);
    const t = await open(`${url}/events?topic=two`);
    expect(t.status).toBe(503);
    expect(t.body).toContain('TIDEMARK_SSE_MAX_TOPICS');
    await open(`${url}/events`);
    const c = await open(`${url}/events`);
    expect(c.status).toBe(503);
    expect(c.body).toContain('limit is 2');
    expect(c.body).toContain('TIDEMARK_SSE_MAX_CONNECTIONS');
    expect(server.stats().rejected.overload).toBe(2);
  });

  it('answers 404 for unknown paths and 405 for other methods', async () => {
    const { url } = await start();
    const nf = await open(`${url}/nope`);
    expect(nf.status).toBe(404);
    expect(nf.body).toContain('/events');
    const status = await new Promise<{ code: number; allow: string | undefined }>((resolve, reject) => {
      const req = get(`${url}/events`, { method: 'POST' }, (res) => {
        res.resume();
        resolve({ code: res.statusCode ?? 0, allow: res.headers.allow });
      });
      req.on('error', reject);
    });
    expect(status).toEqual({ code: 405, allow: 'GET' });
  });

  it('disconnects a client that does not read, instead of buffering without bound', async () => {
    const { server, url } = await start({ maxBufferedBytes: 64 * 1024 });
    const closed = new Promise<void>((resolve, reject) => {
      const req = get(`${url}/events?rate=1000&size=65536`, (res) => {
        res.pause(); // never read: the kernel buffers fill, then ours would grow
        res.on('close', () => resolve());
      });
      req.on('error', () => resolve());
      setTimeout(() => reject(new Error('slow client was not disconnected within 5 s')), 5000).unref();
    });
    await closed;
    expect(server.stats().slowDisconnects).toBe(1);
  });
});

describe('faults', () => {
  it('drop rate leaves gaps in the ids', async () => {
    const { server, url } = await start({ faults: { dropRate: 0.5 } });
    const c = await open(`${url}/events?rate=500`);
    await c.waitFor((x) => x.events.length >= 40);
    expect(consecutive(tickIds(c))).toBe(false);
    const s = server.stats();
    expect(s.droppedByFault).toBeGreaterThan(0);
    expect(s.eventsSent + s.droppedByFault).toBe(s.eventsProduced);
  });

  it('error rate answers /events with 500 saying it is injected', async () => {
    const { server, url } = await start({ faults: { errorRate: 1 } });
    const c = await open(`${url}/events`);
    expect(c.status).toBe(500);
    expect(c.body).toContain('injected fault');
    expect(server.stats().errorsInjected).toBe(1);
    expect((await getJson<{ status: string }>(`${url}/health`)).status).toBe('ok');
  });

  it('delay postpones delivery after the t stamp, topic batches included', async () => {
    const { url } = await start({ faults: { delayMs: 25 } });
    const p = await open(`${url}/events?rate=200`);
    const t = await open(`${url}/events?rate=200&topic=slow`);
    await p.waitFor((x) => x.events.length >= 10);
    await t.waitFor((x) => x.events.length >= 10);
    for (const c of [p, t]) {
      const latencies = c.events.map((e) => e.receivedAt - (JSON.parse(e.data) as Tick).t);
      expect(Math.min(...latencies)).toBeGreaterThanOrEqual(25);
      expect(consecutive(tickIds(c))).toBe(true);
    }
  });

  it('memory fault holds a resident buffer per connection, released on close', async () => {
    const { server, url } = await start({ faults: { memKb: 1024 } });
    const before = server.stats().rssBytes;
    const cs = await Promise.all([1, 2, 3, 4].map(() => open(`${url}/events?rate=1`)));
    await Promise.all(cs.map((c) => c.waitFor((x) => x.events.length >= 1)));
    expect(server.stats().rssBytes - before).toBeGreaterThan(3 * 1024 * 1024);
  });
});

describe('GET /stats/handling-time', () => {
  it('times every live event from its t stamp to the end of its write, the delay fault included', async () => {
    const { url } = await start({ faults: { delayMs: 20 } });
    const p = await open(`${url}/events?rate=100`);
    const t = await open(`${url}/events?rate=100&topic=h`);
    await p.waitFor((x) => x.events.length >= 5);
    await t.waitFor((x) => x.events.length >= 5);
    const snap = await getJson<HandlingTimeSnapshot>(`${url}/stats/handling-time`);
    const h = hdr.decodeFromCompressedBase64(snap.histogram);
    expect(snap).toMatchObject({ what: 'event produced → written to its socket', unit: 'us' });
    expect(h.totalCount).toBe(snap.count);
    expect(snap.count).toBeGreaterThanOrEqual(10);
    expect(h.minNonZeroValue).toBeGreaterThanOrEqual(20_000 * 0.999); // µs: the 20 ms delay is handling time
  });

  it('leaves replays out: a resumed stream reads old events, whose age is not handling time', async () => {
    const { server, url } = await start();
    const t = await open(`${url}/events?rate=200&topic=r`);
    await t.waitFor((x) => x.events.length >= 60);
    const r = await open(`${url}/events?topic=r`, { 'last-event-id': '0' });
    await r.waitFor((x) => x.events.length >= 60); // the replay (60 or more events) has been written
    t.close();
    r.close();
    await new Promise((resolve) => setTimeout(resolve, 100)); // no subscriber left: nothing more is written
    const snap = await getJson<HandlingTimeSnapshot>(`${url}/stats/handling-time`);
    const sent = server.stats().eventsSent;
    // Every write but the replayed ones is timed.
    expect(snap.count).toBeGreaterThanOrEqual(60);
    expect(sent - snap.count).toBeGreaterThanOrEqual(55);
  });

  it('TIDEMARK_HANDLING_TIME=0 turns it off: 404 there', async () => {
    process.env.TIDEMARK_HANDLING_TIME = '0';
    try {
      const { url } = await start();
      expect((await fetch(`${url}/stats/handling-time`)).status).toBe(404);
    } finally {
      delete process.env.TIDEMARK_HANDLING_TIME;
    }
  });
});

describe('/health and /stats', () => {
  it('reports the base shape and SSE counts', async () => {
    const { url } = await start();
    expect(await getJson(`${url}/health`)).toEqual({ status: 'ok', target: 'sse' });
    const c = await open(`${url}/events?rate=200&size=4`);
    const t1 = await open(`${url}/events?topic=s&rate=200`);
    const t2 = await open(`${url}/events?topic=s`);
    await c.waitFor((x) => x.events.length >= 10);
    await t2.waitFor((x) => x.events.length >= 5);
    const s = await getJson<Record<string, unknown> & { ops: number; eventsSent: number; bytesSent: number; connections: { current: number; peak: number } }>(`${url}/stats`);
    expect(s).toMatchObject({ target: 'sse', streams: 3, privateStreams: 1, topics: 1, topicSubscribers: { s: 2 } });
    expect(s.ops).toBe(s.eventsSent);
    expect(s.eventsSent).toBeGreaterThanOrEqual(c.events.length + t1.events.length + t2.events.length - 3);
    expect(s.bytesSent).toBeGreaterThan(0);
    expect(s.connections.current).toBe(3); // event streams only, not this request
    expect(typeof s.uptimeS).toBe('number');
    expect(typeof s.rssBytes).toBe('number');
    expect(s.cpuUs).toMatchObject({ user: expect.any(Number), system: expect.any(Number) });
  });
});
