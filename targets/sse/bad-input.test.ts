/**
 * Bad input against the SSE target (issue 9, point 6): every bad request gets its documented
 * answer (README "Bad input"), and a well-behaved client is served correctly all along:
 * short probes that each open a stream and check its first events, plus one long stream
 * open across the whole attack whose ids must stay gapless.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  Cleanup,
  MIN_SOCKET_BUDGET,
  TEST_HTTP_LIMITS,
  TIMING_SLACK_MS,
  buildRequest,
  chunked,
  openFileLimit,
  openIdleSockets,
  rawRequest,
  sendCases,
  sleep,
  slowloris,
  socketBudget,
  startTestTarget,
  whileServing,
  type ServingReport,
} from '../common/abuse.ts';
import { NO_FAULTS } from '../common/faults.ts';
import { HTTP_LIMITS, type HttpLimits } from '../common/http-limits.ts';
import { createSseServer, type SseServer } from './server.ts';
import { openSse, tickIds } from './test-client.ts';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** A server on a free loopback port; `limits` (after checking the defaults are in force) shortens the HTTP timeouts. */
const start = (limits?: Partial<HttpLimits>): Promise<{ server: SseServer; port: number }> => startTestTarget(createSseServer({ faults: NO_FAULTS }), cleanup, limits);

/** Idle sockets of the flood case: 2000 when `ulimit -n` leaves room for both ends in this process. */
const IDLE_SOCKETS = socketBudget(2000);

interface Tick {
  seq: number;
  topic: string;
  p: string;
}

/**
 * The well-behaved client: a private stream that must answer 200 and deliver ticks 1, 2, 3
 * with the asked payload size. Every 4th probe is `/health` instead.
 */
async function probe(port: number, i: number, signal: AbortSignal): Promise<void> {
  if (i % 4 === 3) {
    const r = await rawRequest({ port, data: buildRequest({ path: '/health', close: true }), timeoutMs: 2000 });
    if (r.status !== 200 || r.text !== '{"status":"ok","target":"sse"}') throw new Error(`/health answered ${r.status} ${r.text}`);
    return;
  }
  const size = 1 + (i % 50);
  const c = await openSse(`http://127.0.0.1:${port}/events?rate=1000&size=${size}`);
  signal.addEventListener('abort', () => c.close());
  try {
    if (c.status !== 200) throw new Error(`stream answered ${c.status} ${c.body}`);
    await c.waitFor((x) => x.events.length >= 3, 2000);
    const ids = tickIds(c).slice(0, 3);
    if (ids.join() !== '1,2,3') throw new Error(`ids ${ids.join()}`);
    for (const e of c.events.slice(0, 3)) {
      const t = JSON.parse(e.data) as Tick;
      if (t.seq !== Number(e.id) || t.topic !== '' || t.p.length !== size) throw new Error(`bad event ${e.data.slice(0, 80)}`);
    }
  } finally {
    c.close();
  }
}

/** A stream held open across an attack; `check()` asserts it was served without a gap. */
async function longStream(port: number): Promise<{ check(minEvents: number): void }> {
  const c = cleanup.add(await openSse(`http://127.0.0.1:${port}/events?rate=100&size=32&topic=steady`), (x) => x.close());
  expect(c.status).toBe(200);
  let ended = false;
  void c.ended.then(() => (ended = true));
  return {
    check(minEvents) {
      expect(ended, 'the long stream is still open').toBe(false);
      const ids = tickIds(c);
      expect(ids.length).toBeGreaterThanOrEqual(minEvents);
      expect(ids.every((id, k) => id === k + 1)).toBe(true);
      expect(c.events.every((e) => e.event === 'tick')).toBe(true); // no loss notice
    },
  };
}

/** One bad request and what it must get. */
interface Case {
  name: string;
  data: string | Buffer;
  status: number;
  /** Body text must match (app-level answers name the parameter). */
  body?: RegExp;
  /** Node's parser answers close the connection. */
  closes?: boolean;
}

interface CaseResult {
  name: string;
  status: number | undefined;
  /** The server closed the connection, or said it would (`Connection: close`). */
  closed: boolean;
  text: string;
}

/** Sends every case `rounds` times, `lanes` at a time; resolves with what came back. */
async function sendAll(port: number, cases: Case[], rounds: number, lanes = 4): Promise<CaseResult[]> {
  const answers = await sendCases(port, cases, rounds, { lanes, timeoutMs: 3000 });
  return answers.map((a) => ({ name: a.case.name, status: a.response.status, closed: a.closed, text: a.response.text }));
}

/** Every result matched its case. */
function expectAnswers(cases: Case[], results: CaseResult[]): void {
  const byName = new Map(cases.map((c) => [c.name, c]));
  for (const r of results) {
    const c = byName.get(r.name)!;
    expect(r.status, c.name).toBe(c.status);
    if (c.body !== undefined) expect(r.text, c.name).toMatch(c.body);
    if (c.closes === true) expect(r.closed, `${c.name} closes`).toBe(true);
  }
}

/** The well-behaved client was served every time, also while the attack ran. */
function expectServed(report: ServingReport<unknown>, minDuring: number): void {
  expect(report.failures).toEqual([]);
  expect(report.ok).toBe(report.probes);
  expect(report.duringAttack).toBeGreaterThanOrEqual(minDuring);
}

const get = (path: string, headers: Record<string, string> = {}): Buffer => buildRequest({ path, headers });

describe('SSE bad input: malformed requests', () => {
  it('answers malformed HTTP framing with 400 and closes, keeps serving', async () => {
    const { server, port } = await start();
    const steady = await longStream(port);
    const cases: Case[] = [
      { name: 'TLS ClientHello bytes', data: Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03, 0x0d, 0x0a, 0x0d, 0x0a]), status: 400, closes: true },
      { name: 'HTTP/2 preface', data: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', status: 400, closes: true },
      { name: 'unknown HTTP version', data: 'GET /events HTTP/9.9\r\nHost: x\r\n\r\n', status: 400, closes: true },
      { name: 'lower-case method', data: 'get /events HTTP/1.1\r\nHost: x\r\n\r\n', status: 400, closes: true },
      { name: 'header without colon', data: 'GET /events HTTP/1.1\r\nHost x\r\n\r\n', status: 400, closes: true },
      { name: 'space before colon', data: 'GET /events HTTP/1.1\r\nHost : x\r\n\r\n', status: 400, closes: true },
      { name: 'NUL in a header value', data: 'GET /events HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n', status: 400, closes: true },
      { name: 'bare LF line ends', data: 'GET /events HTTP/1.1\nHost: x\n\n', status: 400, closes: true },
      { name: 'bare CR line ends', data: 'GET /events HTTP/1.1\rHost: x\r\r', status: 400, closes: true },
      { name: 'obsolete header folding', data: 'GET /events HTTP/1.1\r\nHost: x\r\nX: a\r\n  b\r\n\r\n', status: 400, closes: true },
      { name: 'two different Content-Length', data: 'GET /events HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab', status: 400, closes: true },
      { name: 'Content-Length and chunked (smuggling)', data: 'GET /events HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', status: 400, closes: true },
      { name: 'negative Content-Length', data: 'GET /events HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n', status: 400, closes: true },
      { name: 'space in the URL', data: 'GET /ev ents HTTP/1.1\r\nHost: x\r\n\r\n', status: 400, closes: true },
      { name: 'control byte in the URL', data: 'GET /events?\x01 HTTP/1.1\r\nHost: x\r\n\r\n', status: 400, closes: true },
      { name: 'no Host header', data: 'GET /events HTTP/1.1\r\n\r\n', status: 400 },
      { name: 'absolute-form URL', data: 'GET http://elsewhere.example/events HTTP/1.1\r\nHost: x\r\n\r\n', status: 404, body: /no such path/ },
      { name: 'POST /events', data: buildRequest({ method: 'POST', path: '/events', body: '{}' }), status: 405, body: /use GET/ },
    ];
    const report = await whileServing(() => sendAll(port, cases, 30), (i, signal) => probe(port, i, signal), { concurrency: 2 });
    expect(report.attack).toHaveLength(cases.length * 30);
    expectAnswers(cases, report.attack);
    expectServed(report, 5);
    steady.check(5);
    expect(server.stats().rejected).toMatchObject({ notFound: 30, methodNotAllowed: 30 });
    console.log(`SSE framing: ${report.attack.length} bad requests (${cases.length} kinds x 30); well-behaved ${report.ok}/${report.probes} (${report.duringAttack} during)`);
  });

  it('answers invalid rate, size, topic and Last-Event-ID with 400 naming the parameter; conflicts with 409', async () => {
    const { server, port } = await start();
    const steady = await longStream(port);
    const bad = (name: string, path: string, param: RegExp, headers: Record<string, string> = {}): Case => ({ name, data: get(path, headers), status: 400, body: param });
    const rate = /^rate=.* is invalid: expected events per second per stream, a number with 0 < rate <= 1000/;
    const size = /^size=.* is invalid: expected payload bytes, an integer from 0 to 65536/;
    const topic = /^topic=.* is invalid: expected 1 to 64 characters from \[A-Za-z0-9_.-\]/;
    const lastId = /^Last-Event-ID .* is invalid: expected the integer id/;
    const cases: Case[] = [
      ...['0', '-1', '1001', '1e3', 'abc', 'NaN', 'Infinity', '', '0x10', '10%20', '1.2.3', '99999999999999999999'].map((v) => bad(`rate=${v}`, `/events?rate=${v}`, rate)),
      ...['-1', '65537', '1.5', 'abc', '', '1e3', '99999999999999999999', '0x10'].map((v) => bad(`size=${v}`, `/events?size=${v}`, size)),
      ...['', 'a%20b', 'a/b', '..%2Fx', '%00', 'a'.repeat(65), '%E2%82%AC', 'a:b'].map((v) => bad(`topic=${v.slice(0, 20)}`, `/events?topic=${v}`, topic)),
      ...['-1', 'abc', '1.5', '1e3', '1234567890123456', '0x10'].map((v) => bad(`Last-Event-ID: ${v}`, '/events', lastId, { 'Last-Event-ID': v })),
      ...['-1', 'abc', '1.5', '1234567890123456'].map((v) => bad(`lastEventId=${v}`, `/events?lastEventId=${v}`, lastId)),
      // `steady` holds the topic at rate 100, size 32: explicit other values conflict.
      { name: 'topic with other rate', data: get('/events?topic=steady&rate=5'), status: 409, body: /steady/ },
      { name: 'topic with other size', data: get('/events?topic=steady&size=7'), status: 409, body: /steady/ },
      { name: 'resume far ahead of the topic', data: get('/events?topic=steady', { 'Last-Event-ID': '999999999' }), status: 409, body: /reconnect without Last-Event-ID/ },
    ];
    const rounds = 10;
    const report = await whileServing(() => sendAll(port, cases, rounds), (i, signal) => probe(port, i, signal), { concurrency: 2 });
    expectAnswers(cases, report.attack);
    expectServed(report, 5);
    steady.check(5);
    const badRequests = cases.filter((c) => c.status === 400).length * rounds;
    expect(server.stats().rejected).toMatchObject({ badRequest: badRequests, conflict: 3 * rounds });
    console.log(`SSE params: ${report.attack.length} bad requests (${cases.length} kinds x ${rounds}); well-behaved ${report.ok}/${report.probes} (${report.duringAttack} during)`);
  });

  it('answers invalid UTF-8 in the query, the path and headers with 400', async () => {
    const { server, port } = await start();
    const steady = await longStream(port);
    const raw = (path: Buffer, extra = ''): Buffer => Buffer.concat([Buffer.from('GET '), path, Buffer.from(` HTTP/1.1\r\nHost: x\r\n${extra}\r\n`)]);
    const cases: Case[] = [
      { name: 'raw 0xFF in the query', data: raw(Buffer.from([0x2f, 0x65, 0x76, 0x65, 0x6e, 0x74, 0x73, 0x3f, 0x74, 0x6f, 0x70, 0x69, 0x63, 0x3d, 0xff, 0xfe])), status: 400, closes: true },
      { name: 'raw 0xC0 in the path', data: raw(Buffer.from([0x2f, 0xc0, 0xaf])), status: 400, closes: true },
      { name: 'topic=%FF%FE', data: get('/events?topic=%FF%FE'), status: 400, body: /^topic=/ },
      { name: 'topic overlong UTF-8 %C0%AF', data: get('/events?topic=%C0%AF'), status: 400, body: /^topic=/ },
      { name: 'topic lone surrogate %ED%A0%80', data: get('/events?topic=%ED%A0%80'), status: 400, body: /^topic=/ },
      { name: 'rate=%FF', data: get('/events?rate=%FF'), status: 400, body: /^rate=/ },
      { name: 'size=%C3%28', data: get('/events?size=%C3%28'), status: 400, body: /^size=/ },
      { name: 'lastEventId=%FF', data: get('/events?lastEventId=%FF'), status: 400, body: /^Last-Event-ID/ },
      { name: 'Last-Event-ID 0xFF 0xFE bytes', data: get('/events', { 'Last-Event-ID': '\xff\xfe12' }), status: 400, body: /^Last-Event-ID/ },
      { name: 'Last-Event-ID with a control byte', data: get('/events', { 'Last-Event-ID': '1\x012' }), status: 400, closes: true },
      { name: 'header name with 0xFF', data: get('/events', { 'X-\xff': '1' }), status: 400, closes: true },
    ];
    const rounds = 30;
    const report = await whileServing(() => sendAll(port, cases, rounds), (i, signal) => probe(port, i, signal), { concurrency: 2 });
    expectAnswers(cases, report.attack);
    expectServed(report, 5);
    steady.check(5);
    expect(server.stats().rejected.badRequest).toBe(cases.filter((c) => c.body !== undefined).length * rounds);
    console.log(`SSE UTF-8: ${report.attack.length} bad requests (${cases.length} kinds x ${rounds}); well-behaved ${report.ok}/${report.probes} (${report.duringAttack} during)`);
  });

  it('answers oversized heads with 431 and any request body on /events with 413 (a lying length too)', async () => {
    const { server, port } = await start();
    const steady = await longStream(port);
    const big = 'a'.repeat(HTTP_LIMITS.maxHeaderBytes + 1000);
    const cases: Case[] = [
      { name: 'header over 16 KiB', data: get('/events', { 'X-Big': big }), status: 431, closes: true },
      { name: 'URL over 16 KiB', data: get(`/events?rate=1&pad=${big}`), status: 431, closes: true },
      { name: 'many headers over 16 KiB', data: get('/events', Object.fromEntries(Array.from({ length: 1500 }, (_, k) => [`X-H${k}`, 'aaaaaaaa']))), status: 431, closes: true },
      { name: 'GET with a 1 MiB body', data: buildRequest({ path: '/events', body: Buffer.alloc(1024 * 1024, 0x61) }), status: 413, body: /takes no request body/, closes: true },
      { name: 'Content-Length lie: 10^12, nothing sent', data: get('/events', { 'Content-Length': '1000000000000' }), status: 413, body: /takes no request body/, closes: true },
      { name: 'endless chunked body', data: buildRequest({ path: '/events', headers: { 'Transfer-Encoding': 'chunked' }, body: chunked(['x'.repeat(65536)], false) }), status: 413, closes: true },
      { name: 'POST /events with 4 MiB', data: buildRequest({ method: 'POST', path: '/events', body: Buffer.alloc(4 * 1024 * 1024, 0x62), close: true }), status: 405 },
    ];
    const rounds = 10;
    const report = await whileServing(() => sendAll(port, cases, rounds, 2), (i, signal) => probe(port, i, signal), { concurrency: 2 });
    expectAnswers(cases, report.attack);
    expectServed(report, 3);
    steady.check(5);
    expect(server.stats().rejected.badRequest).toBe(3 * rounds);
    console.log(`SSE oversized: ${report.attack.length} bad requests (${cases.length} kinds x ${rounds}); well-behaved ${report.ok}/${report.probes} (${report.duringAttack} during)`);
  });
});

describe('SSE bad input: slow and idle connections', () => {
  it('drops slowloris sockets by the headers timeout (408), keeps serving', async () => {
    const { server, port } = await start(TEST_HTTP_LIMITS); // the defaults (HTTP_LIMITS) are checked first, then shortened
    expect(server.server.headersTimeout).toBe(TEST_HTTP_LIMITS.headersTimeoutMs);
    const steady = await longStream(port);
    const count = socketBudget(200);
    const report = await whileServing(
      () => slowloris({ port, count, byteIntervalMs: 100, durationMs: TEST_HTTP_LIMITS.headersTimeoutMs + TIMING_SLACK_MS + 1000, head: 'GET /events?rate=10 HTTP/1.1\r\nHost: 127.0.0.1\r\n' }),
      (i, signal) => probe(port, i, signal),
      { concurrency: 2, intervalMs: 50 },
    );
    const a = report.attack;
    expect(a).toMatchObject({ opened: count, failed: 0, droppedByServer: count, stillOpen: 0, statuses: { 408: count } });
    expect(a.maxLifetimeMs).toBeGreaterThanOrEqual(TEST_HTTP_LIMITS.headersTimeoutMs - 50);
    expect(a.maxLifetimeMs).toBeLessThan(TEST_HTTP_LIMITS.headersTimeoutMs + TEST_HTTP_LIMITS.checkIntervalMs + TIMING_SLACK_MS);
    expectServed(report, 5);
    steady.check(50); // 100 events/s for more than 1 s
    console.log(`SSE slowloris: ${count} sockets, ${a.bytesSent} bytes trickled, all dropped with 408 after <= ${Math.round(a.maxLifetimeMs)} ms (headers timeout ${TEST_HTTP_LIMITS.headersTimeoutMs} ms in the test, ${HTTP_LIMITS.headersTimeoutMs} ms default); well-behaved ${report.ok}/${report.probes} (${report.duringAttack} during)`);
  }, 40_000);

  it(`keeps serving with ${IDLE_SOCKETS} idle sockets open, and frees them all when they close`, async () => {
    expect(IDLE_SOCKETS, `ulimit -n ${openFileLimit()} leaves room for ${IDLE_SOCKETS} idle sockets`).toBeGreaterThanOrEqual(MIN_SOCKET_BUDGET);
    const count = IDLE_SOCKETS;
    const { server, port } = await start();
    const steady = await longStream(port);
    const before = server.stats().sockets.current;
    let peak = 0;
    const report = await whileServing(
      async () => {
        const idle = cleanup.add(await openIdleSockets({ port, count }), (f) => f.close());
        await sleep(2000); // held well under the 10 s headers timeout
        peak = server.stats().sockets.current;
        const result = { opened: idle.opened, failed: idle.failed, droppedWhileHeld: idle.closedByServer() };
        await idle.close();
        return result;
      },
      (i, signal) => probe(port, i, signal),
      { concurrency: 2 },
    );
    expect(report.attack).toEqual({ opened: count, failed: 0, droppedWhileHeld: 0 });
    expect(peak).toBeGreaterThanOrEqual(before + count);
    expectServed(report, 20);
    steady.check(150);
    for (let k = 0; k < 50 && server.stats().sockets.current > before; k++) await sleep(50);
    expect(server.stats().sockets.current).toBe(before);
    console.log(`SSE idle flood: ${count} sockets held 2 s (server peak ${peak} sockets, ulimit -n ${openFileLimit()}); well-behaved ${report.ok}/${report.probes} (${report.duringAttack} during)`);
  }, 40_000);

  it('never cuts a long stream by the request timeout, while a trickling head is cut', async () => {
    const { port } = await start({ headersTimeoutMs: 300, requestTimeoutMs: 600, checkIntervalMs: 100 });
    const steady = await longStream(port);
    const loris = await slowloris({ port, count: 5, byteIntervalMs: 20, durationMs: 300 + 100 + TIMING_SLACK_MS });
    expect(loris).toMatchObject({ droppedByServer: 5, statuses: { 408: 5 } });
    await sleep(1500); // the stream is now older than 3 request timeouts
    steady.check(150);
  });
});
