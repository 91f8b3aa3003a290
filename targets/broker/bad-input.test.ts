/**
 * Bad input against the broker (README "Bad input"): every case sends its bad input while a
 * well-behaved client keeps publishing and consuming on the same broker (publish → confirm →
 * delivery with the right seq, then ack), and asserts both the documented answer to the bad
 * input and that the well-behaved client was served n of n with 0 messages lost.
 * Frame fuzzing is in fuzz.test.ts; this file covers the documented limits one by one.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  MIN_SOCKET_BUDGET,
  TEST_HTTP_LIMITS,
  TIMING_SLACK_MS,
  buildRequest,
  idleUntilDropped,
  openFileLimit,
  rawRequest,
  shortenHttpLimits,
  sleep,
  slowloris,
  socketBudgets,
  upgradeAttempts,
  whileServing,
  type IdleSockets,
  type ServingReport,
} from '../common/abuse.ts';
import { NO_FAULTS, type FaultConfig } from '../common/faults.ts';
import { HTTP_LIMITS } from '../common/http-limits.ts';
import type { BrokerOptions } from './options.ts';
import { createBrokerServer, HARD_FRAME_FACTOR, type BrokerServer } from './server.ts';
import { connectBroker, type BrokerClient, type Frame } from './test-client.ts';

const servers: BrokerServer[] = [];
const clients: BrokerClient[] = [];
const sockets: WebSocket[] = [];
/** One row per case for the report printed at the end: bad inputs sent, answers seen, client served. */
const table: Record<string, unknown>[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  for (const s of sockets.splice(0)) s.terminate();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

afterAll(() => {
  console.log(`broker bad input (ulimit -n ${openFileLimit()}):\n${table.map((r) => JSON.stringify(r)).join('\n')}`);
});

/** Idle sockets of the flood case, within `ulimit -n` (both ends live in this process): 2000 TCP + 300 WebSockets when it allows. */
const IDLE = socketBudgets({ tcp: 2000, ws: 300 });

type StartOptions = Partial<Omit<BrokerOptions, 'faults'>> & { faults?: Partial<FaultConfig> };

async function start(overrides: StartOptions = {}): Promise<{ server: BrokerServer; port: number; ws: string }> {
  const server = createBrokerServer({ scanMs: 10, ...overrides, faults: { ...NO_FAULTS, ...overrides.faults } });
  servers.push(server);
  // The broker applies the shared hardening (HTTP_LIMITS, checked here); the tests shorten it to stay fast.
  shortenHttpLimits(server.server);
  const { port } = await server.listen(0);
  return { server, port, ws: `ws://127.0.0.1:${port}/ws` };
}

async function client(url: string): Promise<BrokerClient> {
  const c = await connectBroker(url);
  clients.push(c);
  return c;
}

/** The well-behaved client: a publisher and a subscriber on their own topic. Counts what it was served. */
interface Probe {
  run: (i: number) => Promise<void>;
  confirmed: number;
  delivered: number;
  /** Confirmed messages whose delivery never arrived or arrived with a wrong seq/id. */
  lost: () => number;
}

async function wellBehaved(url: string, topic = 'probe'): Promise<Probe> {
  const pub = await client(url);
  const sub = await client(url);
  expect(await sub.subscribe(topic)).toMatchObject({ op: 'subscribed', topic });
  const seen = new Map<number, string>();
  const p: Probe = {
    confirmed: 0,
    delivered: 0,
    lost: () => p.confirmed - seen.size,
    run: async (i) => {
      const id = `probe-${i}`;
      const from = pub.frames.length;
      const answer = (): Frame | undefined => pub.frames.slice(from).find((f) => f.id === id && (f.op === 'ok' || f.op === 'error'));
      pub.send({ op: 'pub', topic, id, data: { i } });
      await pub.waitFor(() => answer() !== undefined, 4000);
      const ok = answer()!;
      if (ok.op !== 'ok' || ok.seq !== p.confirmed + 1) throw new Error(`publish ${id}: expected ok seq ${p.confirmed + 1}, got ${JSON.stringify(ok)}`);
      p.confirmed++;
      const seq = ok.seq;
      const delivery = (): Frame | undefined => sub.frames.find((f) => f.op === 'msg' && f.seq === seq);
      await sub.waitFor(() => delivery() !== undefined, 4000);
      const m = delivery()!;
      if (m.id !== id || (m.data as { i: number }).i !== i || m.attempt !== undefined) throw new Error(`delivery of seq ${seq}: ${JSON.stringify(m)}`);
      seen.set(seq, id);
      p.delivered++;
      sub.send({ op: 'ack', topic, seq });
    },
  };
  return p;
}

/** Asserts the well-behaved client was served every time during the attack, and records the row. */
function served<T>(name: string, report: ServingReport<T>, probe: Probe, row: Record<string, unknown>): void {
  table.push({ case: name, ...row, served: `${report.ok} of ${report.probes}`, duringAttack: report.duringAttack, lost: `${probe.lost()} of ${probe.confirmed}` });
  expect(report.failures).toEqual([]);
  expect(report.ok).toBe(report.probes);
  expect(report.duringAttack).toBeGreaterThan(0);
  expect(probe.confirmed).toBe(report.ok);
  expect(probe.lost()).toBe(0);
}

/** Opens a raw recording WebSocket (replies as text; close code kept). */
function rawWs(url: string): Promise<{ ws: WebSocket; texts: string[]; binaries: number; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    sockets.push(ws);
    const r = { ws, texts: [] as string[], binaries: 0, closed: new Promise<number>((ok) => ws.on('close', (code) => ok(code))) };
    ws.on('message', (d, binary) => (binary ? r.binaries++ : r.texts.push((d as Buffer).toString('utf8'))));
    ws.on('error', () => {});
    ws.once('open', () => resolve(r));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade answered ${res.statusCode}`)));
  });
}

const PROBE = { intervalMs: 5, maxProbes: 3000, minProbes: 20, timeoutMs: 40_000 } as const;

/** Sends `frames` on `c` and returns the error frames they got (waits for a sentinel confirm after them). */
async function errorsFor(c: BrokerClient, frames: (string | { data: string | Buffer; binary: boolean })[], sentinel: string): Promise<Frame[]> {
  const from = c.frames.length;
  for (const f of frames) {
    if (typeof f === 'string') c.sendRaw(f);
    else c.sendRaw(f.data, f.binary);
  }
  c.send({ op: 'pub', topic: 'sentinel', id: sentinel, data: 0 });
  await c.waitFor(() => c.frames.slice(from).some((f) => f.op === 'ok' && f.id === sentinel), 5000);
  return c.frames.slice(from).filter((f) => !(f.op === 'ok' && f.id === sentinel));
}

describe('broker bad input, with a well-behaved client served throughout', () => {
  it('malformed frames (not JSON, not an object, unknown op or field, bad values, binary) get bad_frame; the connection stays', async () => {
    const { ws, server } = await start();
    const probe = await wellBehaved(ws);
    const bad = await client(ws);
    const MALFORMED: (string | { data: string | Buffer; binary: boolean })[] = [
      '{"op":',
      'hello',
      '',
      '[1,2]',
      '"pub"',
      'null',
      '{}',
      '{"op":"publish","topic":"t","id":"m","data":1}',
      '{"op":"PUB","topic":"t","id":"m","data":1}',
      '{"op":"pub","topic":"t","id":"m"}',
      '{"op":"pub","topic":"t","id":"m","data":1,"extra":true}',
      '{"op":"pub","topic":"t","id":"m","data":NaN}',
      '{"op":"pub","topic":"t","id":"m","data":1}}',
      '{"op":"sub","topic":"t","acks":false}',
      '{"op":"sub","topic":"t","prefetch":0}',
      '{"op":"sub","topic":"t","prefetch":1.5}',
      '{"op":"sub","topic":"t","prefetch":-1}',
      '{"op":"sub","topic":"t","ackTimeoutMs":1e400}',
      '{"op":"sub","topic":"t","ack":"yes"}',
      `{"op":"pub","topic":"t","id":"m","data":${'['.repeat(5000)}${']'.repeat(5000)}}`,
      `{"op":"sub","topic":${'['.repeat(5000)}${']'.repeat(5000)}}`,
      { data: Buffer.from('{"op":"pub","topic":"t","id":"m","data":1}'), binary: true },
      { data: Buffer.from([0, 1, 2, 255]), binary: true },
    ];
    const ROUNDS = 100;
    let sent = 0;
    const answers: Record<string, number> = {};
    const report = await whileServing(async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const errors = await errorsFor(bad, MALFORMED, `s-${round}`);
        sent += MALFORMED.length;
        expect(errors).toHaveLength(MALFORMED.length);
        for (const e of errors) {
          expect(e).toMatchObject({ op: 'error', code: 'bad_frame', message: expect.any(String) });
          answers[e.code as string] = (answers[e.code as string] ?? 0) + 1;
        }
        await sleep(5);
      }
    }, probe.run, PROBE);
    // The refusals name what was wrong.
    const messages = (await errorsFor(bad, MALFORMED.slice(0, 21), 'last')).map((f) => f.message as string);
    expect(messages[0]).toContain('not valid JSON');
    expect(messages[3]).toContain('must be a JSON object');
    expect(messages[7]).toContain('op "publish" is unknown');
    expect(messages[9]).toContain('data is missing');
    expect(messages[10]).toContain('field "extra" is not allowed');
    expect(messages[14]).toContain('prefetch 0 is invalid');
    expect(messages[19]).toContain('deeper than 128 levels');
    expect(messages[20]).toContain('deeper than 128 levels');
    expect(server.stats().server.errors.bad_frame).toBe(sent + 21);
    served('malformed frames', report, probe, { sent, expected: 'error bad_frame each, connection stays', observed: answers });
  });

  it('oversized frames: over 64 KiB gets too_large and the connection stays; over 16x is closed with 1009 alone', async () => {
    const { ws, server } = await start();
    const limit = server.stats().limits.maxFrameBytes;
    expect(limit).toBe(65_536); // the documented default
    const probe = await wellBehaved(ws);
    const big = await client(ws);
    const just = JSON.stringify({ op: 'pub', topic: 't', id: 'big', data: 'x'.repeat(limit) }); // limit + ~40 bytes
    const ROUNDS = 100;
    let closed1009 = 0;
    let tooLarge = 0;
    const report = await whileServing(async () => {
      for (let i = 0; i < ROUNDS; i++) {
        const errors = await errorsFor(big, [just], `s-${i}`);
        expect(errors).toMatchObject([{ op: 'error', code: 'too_large', message: expect.stringContaining('TIDEMARK_BROKER_MAX_FRAME_BYTES') }]);
        tooLarge++;
      }
      for (let i = 0; i < 10; i++) {
        const huge = await rawWs(ws);
        huge.ws.send(Buffer.alloc(limit * HARD_FRAME_FACTOR + 1, 0x61));
        expect(await huge.closed).toBe(1009);
        expect(huge.texts).toEqual([]);
        closed1009++;
      }
    }, probe.run, PROBE);
    expect(big.ws.readyState).toBe(WebSocket.OPEN);
    expect(server.stats().server.errors.too_large).toBe(tooLarge);
    served('oversized frames', report, probe, { sent: `${tooLarge} frames of ${Buffer.byteLength(just)} B + ${closed1009} of ${limit * HARD_FRAME_FACTOR + 1} B`, expected: 'too_large (conn stays) / close 1009', observed: { too_large: tooLarge, close1009: closed1009 } });
  });

  it('invalid UTF-8 in a text frame closes that connection with 1007; others are not affected', async () => {
    const { ws, server } = await start();
    const probe = await wellBehaved(ws);
    const INVALID = [Buffer.from([0xff]), Buffer.from([0xc3, 0x28]), Buffer.from('{"op":"pub","topic":"t","id":"m","data":"\xed\xa0\x80"}', 'latin1'), Buffer.concat([Buffer.from('{"op":"sub","topic":"'), Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]), Buffer.from('"}')])];
    const codes: Record<number, number> = {};
    let sent = 0;
    const report = await whileServing(async () => {
      for (let i = 0; i < 100; i++) {
        const c = await rawWs(ws);
        c.ws.send(INVALID[i % INVALID.length]!, { binary: false });
        sent++;
        const code = await c.closed;
        codes[code] = (codes[code] ?? 0) + 1;
        expect(c.texts).toEqual([]);
      }
    }, probe.run, PROBE);
    expect(codes).toEqual({ 1007: sent });
    expect(server.stats().server.framesIn).toBeGreaterThan(0);
    // Invalid UTF-8 on the HTTP side (request target and a header value) gets the plain answers.
    const path = await rawRequest({ port: Number(new URL(ws).port), data: Buffer.concat([Buffer.from('GET /st'), Buffer.from([0xff, 0xfe]), Buffer.from('ats HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')]) });
    expect([path.status, path.closedByServer]).toEqual([400, true]); // Node's parser: bytes over 0x7f in the target
    const header = await rawRequest({ port: Number(new URL(ws).port), data: buildRequest({ path: '/health', headers: { 'X-Bad': '\xff\xfe\xc3' }, close: true }) });
    expect(header.status).toBe(200);
    served('invalid UTF-8', report, probe, { sent: `${sent} text frames + 2 HTTP requests`, expected: 'close 1007; HTTP 400 (path) / 200 (header)', observed: { ...codes, http: [path.status, header.status] } });
  });

  it('invalid parameters (topic names, group, durable, ack ids, prefetch) get the documented errors', async () => {
    const { ws, server } = await start();
    const probe = await wellBehaved(ws);
    const c = await client(ws);
    const other = await client(ws);
    // A real delivery to ack wrongly: `c` subscribes to "own" and gets seq 1.
    await c.subscribe('own');
    other.send({ op: 'pub', topic: 'own', id: 'o1', data: 1 });
    await c.waitFor((x) => x.ofOp('msg').length === 1);
    const CASES: [object | string, Record<string, unknown>][] = [
      [{ op: 'pub', topic: 'a b', id: 'm', data: 1 }, { code: 'bad_frame', message: expect.stringContaining('topic "a b" is invalid') }],
      [{ op: 'pub', topic: '', id: 'm', data: 1 }, { code: 'bad_frame', message: expect.stringContaining('topic "" is invalid') }],
      [{ op: 'pub', topic: 'x'.repeat(129), id: 'm', data: 1 }, { code: 'bad_frame', message: expect.stringContaining('expected 1 to 128 characters') }],
      [{ op: 'pub', topic: 'tópico', id: 'm', data: 1 }, { code: 'bad_frame', topic: 'tópico' }],
      [{ op: 'pub', topic: 'orders/eu', id: 'm', data: 1 }, { code: 'bad_frame' }],
      [{ op: 'pub', topic: 5, id: 'm', data: 1 }, { code: 'bad_frame', message: expect.stringContaining('topic 5 is invalid') }],
      [{ op: 'pub', topic: 't', id: 'm m', data: 1 }, { code: 'bad_frame', id: 'm m' }],
      [{ op: 'pub', topic: 't', id: 'm', cid: '', data: 1 }, { code: 'bad_frame', id: 'm', topic: 't' }],
      [{ op: 'sub', topic: 'g', group: 'a b' }, { code: 'bad_frame', message: expect.stringContaining('group "a b" is invalid') }],
      [{ op: 'sub', topic: 'g', group: '' }, { code: 'bad_frame', message: expect.stringContaining('group "" is invalid') }],
      [{ op: 'sub', topic: 'g', group: 7 }, { code: 'bad_frame', message: expect.stringContaining('group 7 is invalid') }],
      [{ op: 'sub', topic: 'g', group: 'g1', durable: 'd1' }, { code: 'bad_frame', message: expect.stringContaining('either group or durable') }],
      [{ op: 'sub', topic: 'g', durable: 'ü' }, { code: 'bad_frame', message: expect.stringContaining('durable "ü" is invalid') }],
      [{ op: 'sub', topic: 'own' }, { code: 'conflict', topic: 'own' }],
      [{ op: 'ack', topic: 'own', seq: 0 }, { code: 'bad_frame', message: expect.stringContaining('seq 0 is invalid') }],
      [{ op: 'ack', topic: 'own', seq: -1 }, { code: 'bad_frame', message: expect.stringContaining('seq -1 is invalid') }],
      [{ op: 'ack', topic: 'own', seq: 1.5 }, { code: 'bad_frame', message: expect.stringContaining('seq 1.5 is invalid') }],
      [{ op: 'ack', topic: 'own', seq: '1' }, { code: 'bad_frame', message: expect.stringContaining('seq "1" is invalid') }],
      [{ op: 'ack', topic: 'own', seq: 2 ** 53 }, { code: 'bad_frame' }],
      [{ op: 'ack', topic: 'own' }, { code: 'bad_frame', message: expect.stringContaining('seq is missing') }],
      [{ op: 'ack', topic: 'own', seqs: [] }, { code: 'bad_frame', message: expect.stringContaining('seqs [] is invalid') }],
      [{ op: 'ack', topic: 'own', seqs: Array(1001).fill(1) }, { code: 'bad_frame', message: expect.stringContaining('1 to 1000') }],
      [{ op: 'ack', topic: 'own', seqs: [1, 0] }, { code: 'bad_frame' }],
      [{ op: 'ack', topic: 'own', seq: 1, seqs: [1] }, { code: 'bad_frame', message: expect.stringContaining('not both') }],
      [{ op: 'nack', topic: 'own', seq: 1, receipt: 'yes' }, { code: 'bad_frame', message: expect.stringContaining('receipt "yes" is invalid') }],
      [{ op: 'ack', topic: 'nobody', seq: 1 }, { code: 'not_subscribed', topic: 'nobody', seq: 1 }],
      [{ op: 'nack', topic: 'nobody', seqs: [1, 2] }, { code: 'not_subscribed', topic: 'nobody' }],
      [{ op: 'unsub', topic: 'nobody' }, { code: 'not_subscribed', topic: 'nobody' }],
    ];
    let sent = 0;
    const observed: Record<string, number> = {};
    const report = await whileServing(async () => {
      for (let round = 0; round < 50; round++) {
        const errors = await errorsFor(c, CASES.map(([f]) => (typeof f === 'string' ? f : JSON.stringify(f))), `s-${round}`);
        sent += CASES.length;
        expect(errors).toHaveLength(CASES.length);
        CASES.forEach(([f, want], i) => {
          expect(errors[i], JSON.stringify(f).slice(0, 80)).toMatchObject({ op: 'error', ...want });
          observed[errors[i]!.code as string] = (observed[errors[i]!.code as string] ?? 0) + 1;
        });
      }
    }, probe.run, PROBE);
    // Acks of seqs that are not outstanding are ignored and counted; a receipt says known:false.
    c.send({ op: 'ack', topic: 'own', seq: 99, receipt: true });
    c.send({ op: 'ack', topic: 'own', seqs: [1, 99, 100], receipt: true });
    c.send({ op: 'ack', topic: 'own', seq: 1, receipt: true });
    await c.waitFor((x) => x.ofOp('acked').length === 3);
    expect(c.ofOp('acked').map(({ receivedAt: _r, ...f }) => f)).toEqual([
      { op: 'acked', topic: 'own', seq: 99, known: false },
      { op: 'acked', topic: 'own', count: 3, known: 1 },
      { op: 'acked', topic: 'own', seq: 1, known: false },
    ]);
    expect(server.stats()).toMatchObject({ unknownAcks: 4 });
    served('invalid parameters', report, probe, { sent: sent + 3, expected: 'bad_frame / conflict / not_subscribed; unknown acks known:false', observed: { ...observed, ackedKnownFalse: 3 } });
  });

  it('malformed HTTP requests and upgrade requests get plain HTTP errors', async () => {
    const { port, ws } = await start();
    const probe = await wellBehaved(ws);
    const key = { 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version': '13' };
    const up = { Upgrade: 'websocket', Connection: 'Upgrade' };
    const CASES: [string, Buffer, number][] = [
      ['garbage request line', Buffer.from('HELLO\r\n\r\n'), 400],
      ['HTTP/1.1 without Host', Buffer.from('GET /health HTTP/1.1\r\n\r\n'), 400],
      ['header line without colon', Buffer.from('GET /health HTTP/1.1\r\nHost: x\r\nnocolon\r\n\r\n'), 400],
      ['head over 16 KiB', buildRequest({ path: '/health', headers: { 'X-Big': 'a'.repeat(17_000) } }), 431],
      ['plain GET /ws', buildRequest({ path: '/ws' }), 426],
      ['POST /stats', buildRequest({ method: 'POST', path: '/stats', body: '{}' }), 405],
      ['unknown path', buildRequest({ path: '/nope' }), 404],
      ['upgrade on another path', buildRequest({ path: '/nope', headers: { ...up, ...key } }), 404],
      ['upgrade without Sec-WebSocket-Key', buildRequest({ path: '/ws', headers: { ...up, 'Sec-WebSocket-Version': '13' } }), 400],
      ['upgrade with a bad key', buildRequest({ path: '/ws', headers: { ...up, 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'short' } }), 400],
      ['upgrade with version 12', buildRequest({ path: '/ws', headers: { ...up, 'Sec-WebSocket-Key': key['Sec-WebSocket-Key'], 'Sec-WebSocket-Version': '12' } }), 400],
      ['upgrade to something else', buildRequest({ path: '/ws', headers: { Upgrade: 'h2c', Connection: 'Upgrade', ...key } }), 400],
    ];
    const observed: Record<string, number[]> = {};
    let sent = 0;
    const report = await whileServing(async () => {
      for (let round = 0; round < 10; round++) {
        const answers = await Promise.all(CASES.map(([, data]) => rawRequest({ port, data })));
        sent += CASES.length;
        answers.forEach((r, i) => {
          const [name, , status] = CASES[i]!;
          expect(r.status, name).toBe(status);
          (observed[name] ??= []).push(r.status ?? 0);
        });
      }
    }, probe.run, PROBE);
    served('malformed HTTP / upgrades', report, probe, {
      sent,
      expected: Object.fromEntries(CASES.map(([n, , s]) => [n, s])),
      observed: Object.fromEntries(Object.entries(observed).map(([k, v]) => [k, [...new Set(v)].join('/')])),
    });
  });

  it('slowloris on /health, /stats and the /ws upgrade: dropped with 408 by the headers timeout', async () => {
    const { port } = await start();
    const probe = await wellBehaved(`ws://127.0.0.1:${port}/ws`);
    const heads = [
      `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n`,
      `GET /stats HTTP/1.1\r\nHost: 127.0.0.1\r\n`,
      `GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n`,
    ];
    const report = await whileServing(() => Promise.all(heads.map((head) => slowloris({ port, head, count: 50, byteIntervalMs: 50, durationMs: TEST_HTTP_LIMITS.headersTimeoutMs + TIMING_SLACK_MS + 3000 }))), probe.run, PROBE);
    for (const r of report.attack) {
      expect(r).toMatchObject({ opened: 50, failed: 0, droppedByServer: 50, stillOpen: 0, statuses: { 408: 50 } });
      expect(r.maxLifetimeMs).toBeLessThan(TEST_HTTP_LIMITS.headersTimeoutMs + TIMING_SLACK_MS);
    }
    served('slowloris', report, probe, {
      sent: '3 x 50 sockets, 1 byte / 50 ms',
      expected: `408 + close within headersTimeout (${TEST_HTTP_LIMITS.headersTimeoutMs} ms in the test, ${HTTP_LIMITS.headersTimeoutMs} ms default)`,
      observed: report.attack.map((r) => ({ dropped: r.droppedByServer, statuses: r.statuses, maxLifetimeMs: Math.round(r.maxLifetimeMs) })),
    });
  });

  it(`${IDLE.tcp} idle TCP sockets are dropped by the headers timeout; ${IDLE.ws} idle WebSockets are held up to the connection limit, then 503`, async () => {
    expect(IDLE.tcp, `ulimit -n ${openFileLimit()} leaves room for ${IDLE.tcp} idle sockets`).toBeGreaterThanOrEqual(MIN_SOCKET_BUDGET);
    const { port, ws, server } = await start({ maxConnections: IDLE.ws + 2 }); // + the well-behaved publisher and subscriber
    const probe = await wellBehaved(ws);
    let idleWs: WebSocket[] = [];
    let refused: number[] = [];
    const report = await whileServing(
      () =>
        idleUntilDropped({
          port,
          count: IDLE.tcp,
          // The idle TCP sockets are all dropped once the headers timeout passes; the idle WebSockets stay.
          waitMs: TEST_HTTP_LIMITS.headersTimeoutMs + TIMING_SLACK_MS + 3000,
          meanwhile: async () => {
            idleWs = await Promise.all(Array.from({ length: IDLE.ws }, () => rawWs(ws).then((r) => r.ws)));
            expect(server.stats().connections.current).toBe(IDLE.ws + 2);
            // Past the limit: upgrade refused with 503 and retry-after.
            const answers = await upgradeAttempts({ port, path: '/ws', count: 20 });
            for (const r of answers) expect(r.headers['retry-after']).toBe('1');
            refused = answers.map((r) => r.status ?? 0);
          },
        }),
      probe.run,
      PROBE,
    );
    const idle: IdleSockets = report.attack;
    const maxLifetimeMs = Math.max(...idle.lifetimesMs());
    expect(idle.opened).toBe(IDLE.tcp);
    expect(idle.failed).toBe(0);
    expect(idle.closedByServer()).toBe(IDLE.tcp);
    expect(maxLifetimeMs).toBeLessThan(TEST_HTTP_LIMITS.headersTimeoutMs + TIMING_SLACK_MS);
    expect(refused).toEqual(Array(20).fill(503));
    expect(idleWs.filter((s) => s.readyState === WebSocket.OPEN)).toHaveLength(IDLE.ws);
    expect(server.stats().server.upgradesRefused.overload).toBe(20);
    served('idle connections', report, probe, {
      sent: `${IDLE.tcp} idle TCP sockets + ${IDLE.ws} idle WebSockets + 20 upgrades past the limit (ulimit -n ${openFileLimit()})`,
      expected: 'TCP: dropped by headers timeout; WS: held (no idle timeout), limit → 503 retry-after 1',
      observed: { tcpDroppedByServer: idle.closedByServer(), maxTcpLifetimeMs: Math.round(maxLifetimeMs), wsHeld: IDLE.ws, upgrades503: refused.filter((s) => s === 503).length },
    });
  });

  it('a subscriber that never reads: deliveries pause, publishes get backlog_full at the bound, memory stays bounded', async () => {
    const { ws, server } = await start({ maxBacklogBytes: 4 * 1024 * 1024 });
    const probe = await wellBehaved(ws);
    const stalled = await rawWs(ws);
    stalled.ws.send(JSON.stringify({ op: 'sub', topic: 'stall', ack: false }));
    await sleep(50);
    (stalled.ws as unknown as { _socket: { pause(): void } })._socket.pause(); // stop reading: the broker's writes back up
    const pub = await client(ws);
    const payload = 'x'.repeat(60_000);
    let full = 0;
    let ok = 0;
    let sent = 0;
    const report = await whileServing(async () => {
      for (let i = 0; i < 400; i++) {
        pub.send({ op: 'pub', topic: 'stall', id: `s${i}`, data: payload });
        sent++;
        if (i % 20 === 19) await sleep(5);
      }
      await pub.waitFor((c) => c.frames.filter((f) => f.id !== undefined && String(f.id).startsWith('s')).length === sent, 10_000);
      ok = pub.ofOp('ok').length;
      full = pub.ofOp('error').filter((f) => f.code === 'backlog_full').length;
    }, probe.run, PROBE);
    expect(ok + full).toBe(sent);
    expect(full).toBeGreaterThan(0);
    const s = server.stats();
    expect(s.backlogBytes).toBeLessThanOrEqual(4 * 1024 * 1024 + 61_000);
    served('subscriber not reading', report, probe, { sent: `${sent} publishes of 60 kB to a topic whose only subscriber never reads`, expected: 'confirms until the 4 MiB backlog bound, then backlog_full', observed: { ok, backlog_full: full, backlogBytes: s.backlogBytes } });
  });
});
