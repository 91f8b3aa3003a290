/**
 * Bad input against the price engine (README "Limits and errors", "Bad input"): every case sends its
 * bad input while a well-behaved client keeps sending ticks (HTTP POST and a WebSocket, alternately) and
 * reading their quotes over SSE (right symbol, seq, mid and client time), and asserts the documented
 * answer, that the client was served n of n, and the exact error counters of /metrics.json afterwards.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Agent, request } from 'node:http';
import { WebSocket } from 'ws';
import {
  MIN_SOCKET_BUDGET,
  TEST_HTTP_LIMITS,
  TIMING_SLACK_MS,
  buildRequest,
  chunked,
  idleUntilDropped,
  openFileLimit,
  rawRequest,
  shortenHttpLimits,
  slowloris,
  socketBudgets,
  upgradeAttempts,
  whileServing,
  type IdleSockets,
  type ServingReport,
} from '../common/abuse.ts';
import { NO_FAULTS, type FaultConfig } from '../common/faults.ts';
import { HTTP_LIMITS } from '../common/http-limits.ts';
import { openSse, type TestClient } from '../sse/test-client.ts';
import type { PriceEngineOptions } from './options.ts';
import { createPriceEngine, type PriceEngineServer } from './server.ts';

const servers: PriceEngineServer[] = [];
const closers: (() => void)[] = [];
const table: Record<string, unknown>[] = [];

afterEach(async () => {
  for (const c of closers.splice(0)) c();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

afterAll(() => {
  console.log(`price-engine bad input (ulimit -n ${openFileLimit()}):\n${table.map((r) => JSON.stringify(r)).join('\n')}`);
});

/** Idle sockets of the flood case, within `ulimit -n` (both ends live in this process): 2000 TCP + 300 WebSockets when it allows. */
const IDLE = socketBudgets({ tcp: 2000, ws: 300 });
const PROBE = { intervalMs: 5, maxProbes: 3000, minProbes: 20, timeoutMs: 40_000 } as const;
const deep = (d: number): string => '['.repeat(d) + ']'.repeat(d);

async function start(overrides: Partial<Omit<PriceEngineOptions, 'faults'>> & { faults?: Partial<FaultConfig> } = {}): Promise<{ server: PriceEngineServer; base: string; port: number }> {
  const server = createPriceEngine({ ...overrides, faults: { ...NO_FAULTS, ...overrides.faults } });
  servers.push(server);
  shortenHttpLimits(server.server); // checks the engine's defaults (HTTP_LIMITS) are in force, then shortens them
  const { port } = await server.listen(0);
  return { server, base: `http://127.0.0.1:${port}`, port };
}

type Json = Record<string, unknown>;

/** A WebSocket tick session recording parsed replies and its close code. */
async function ticksWs(base: string): Promise<{ ws: WebSocket; replies: Json[]; closed: Promise<number>; wait(n: number, ms?: number): Promise<void> }> {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/ticks`, { perMessageDeflate: false });
  closers.push(() => ws.terminate());
  const replies: Json[] = [];
  let wake = (): void => {};
  ws.on('message', (d) => {
    replies.push(JSON.parse(String(d)) as Json);
    wake();
  });
  ws.on('error', () => {});
  const closed = new Promise<number>((r) => ws.on('close', (code) => {
    r(code);
    wake();
  }));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_q, res) => reject(new Error(`upgrade answered ${res.statusCode}`)));
  });
  const wait = (n: number, ms = 4000): Promise<void> =>
    replies.length >= n
      ? Promise.resolve()
      : new Promise((resolve, reject) => {
          const t = setTimeout(() => reject(new Error(`${replies.length} of ${n} WebSocket replies after ${ms} ms`)), ms);
          wake = () => {
            if (replies.length < n) return;
            clearTimeout(t);
            resolve();
          };
        });
  return { ws, replies, closed, wait };
}

async function post(base: string, body: string, path = '/ticks'): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${base}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  const text = await res.text();
  return { status: res.status, json: text.startsWith('{') ? (JSON.parse(text) as Json) : { text } };
}

interface Metrics {
  totals: { ticksProcessed: number };
  errors: { total: number; byReason: Record<string, number> };
}
const metrics = async (base: string): Promise<Metrics> => (await (await fetch(`${base}/metrics.json`)).json()) as Metrics;

/** Only the reasons with a count. */
const nonZero = (byReason: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(byReason).filter(([, n]) => n > 0));

/** The well-behaved client: ticks for PROBE in (POST and WebSocket alternately), its quotes out over SSE. */
interface Probe {
  run: (i: number) => Promise<void>;
  quotes: number;
}

async function wellBehaved(base: string): Promise<Probe> {
  const sse: TestClient = await openSse(`${base}/quotes?symbols=PROBE`);
  closers.push(() => sse.close());
  expect(sse.status).toBe(200);
  const ws = await ticksWs(base);
  const quotes = (): Json[] => sse.events.filter((e) => e.event === 'quote').map((e) => JSON.parse(e.data) as Json);
  const p: Probe = {
    quotes: 0,
    run: async (i) => {
      const bid = 100 + (i % 50);
      const ask = bid + 0.5;
      const time = Date.now() + 0.25;
      const id = `p-${i}`;
      const batch = JSON.stringify({ id, ticks: [{ symbol: 'PROBE', bid, ask, size: 10, time }] });
      let reply: Json;
      if (i % 2 === 0) {
        const r = await post(base, batch);
        if (r.status !== 200) throw new Error(`POST answered ${r.status} ${JSON.stringify(r.json)}`);
        reply = r.json;
      } else {
        const n = ws.replies.length + 1;
        ws.ws.send(batch);
        await ws.wait(n);
        reply = ws.replies[n - 1]!;
        if (reply.type !== 'ack') throw new Error(`WebSocket reply ${JSON.stringify(reply)}`);
        delete reply.type;
      }
      expect(reply).toEqual({ id, accepted: 1, rejected: 0, errors: [] });
      const seq = ++p.quotes;
      await sse.waitFor(() => quotes().length >= seq, 4000);
      const q = quotes()[seq - 1]!;
      expect(q).toMatchObject({ symbol: 'PROBE', seq, mid: (bid + ask) / 2, spread: 0.5, t: time, last: { bid, ask, size: 10 } });
    },
  };
  return p;
}

function served<T>(name: string, report: ServingReport<T>, probe: Probe, row: Json): void {
  table.push({ case: name, ...row, served: `${report.ok} of ${report.probes}`, duringAttack: report.duringAttack, quotes: `${probe.quotes} of ${report.ok}` });
  expect(report.failures).toEqual([]);
  expect(report.ok).toBe(report.probes);
  expect(report.duringAttack).toBeGreaterThan(0);
  expect(probe.quotes).toBe(report.ok);
}

/** After a case: /metrics.json shows exactly `expected` errors and every probe tick processed. */
async function expectErrors(base: string, expected: Record<string, number>, probe: Probe): Promise<Json> {
  const m = await metrics(base);
  expect(nonZero(m.errors.byReason)).toEqual(expected);
  expect(m.errors.total).toBe(Object.values(expected).reduce((a, b) => a + b, 0));
  expect(m.totals.ticksProcessed).toBeGreaterThanOrEqual(probe.quotes);
  return { metricsErrors: m.errors.total, byReason: nonZero(m.errors.byReason) };
}

describe('price-engine bad input, with a well-behaved client served throughout', () => {
  it('malformed batches over HTTP and WebSocket (text and binary) get 400/422 and batch errors; nothing stops', async () => {
    const { base } = await start();
    const probe = await wellBehaved(base);
    const bad = await ticksWs(base);
    const CASES: [string, string, number, string][] = [
      ['not JSON', 'not json', 400, 'malformedJson'],
      ['NaN token', '{"symbol":"A","bid":NaN,"ask":2,"size":1}', 400, 'malformedJson'],
      ['empty', '', 400, 'malformedJson'],
      ['truncated', '[{"symbol":"A"', 400, 'malformedJson'],
      ['number', '42', 400, 'badBatch'],
      ['string', '"AAPL"', 400, 'badBatch'],
      ['null', 'null', 400, 'badBatch'],
      ['ticks not an array', '{"id":1,"ticks":{"symbol":"A"}}', 400, 'badBatch'],
      ['envelope time not a number', '{"ticks":[],"time":"now"}', 400, 'badBatch'],
      ['id nested 5000 deep', `{"id":${deep(5000)},"ticks":[]}`, 400, 'badBatch'],
      ['time nested 5000 deep', `{"time":${deep(5000)},"ticks":[]}`, 400, 'badBatch'],
      ['array of non-objects', '[1,"x",null,[]]', 422, 'notObject'],
    ];
    const ROUNDS = 20;
    const expected: Record<string, number> = {};
    const add = (reason: string, n = 1): void => void (expected[reason] = (expected[reason] ?? 0) + n);
    let sent = 0;
    const report = await whileServing(async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const answers = await Promise.all(CASES.map(([, body]) => post(base, body)));
        answers.forEach((r, i) => {
          const [name, , status, reason] = CASES[i]!;
          expect(r.status, name).toBe(status);
          if (status === 422) expect(r.json, name).toMatchObject({ accepted: 0, rejected: 4, errors: [{ index: 0, reason }, { index: 1, reason }, { index: 2, reason }, { index: 3, reason }] });
          else expect(r.json, name).toMatchObject({ accepted: 0, rejected: 0, batchError: { reason, error: expect.any(String) } });
          add(reason, status === 422 ? 4 : 1);
        });
        const n = bad.replies.length + CASES.length + 1;
        for (const [, body] of CASES) bad.ws.send(body);
        bad.ws.send(Buffer.from('{"symbol":"A","bid":1,"ask":2,"size":1}'), { binary: true });
        await bad.wait(n);
        const replies = bad.replies.slice(n - CASES.length - 1);
        CASES.forEach(([name, , status, reason], i) => {
          expect(replies[i], name).toMatchObject(status === 422 ? { type: 'ack', rejected: 4, errors: [{ reason }, {}, {}, {}] } : { type: 'ack', batchError: { reason } });
          add(reason, status === 422 ? 4 : 1);
        });
        expect(replies[CASES.length]).toMatchObject({ type: 'ack', batchError: { reason: 'badBatch', error: expect.stringContaining('binary') } });
        add('badBatch');
        sent += 2 * CASES.length + 1;
      }
    }, probe.run, PROBE);
    expect(bad.ws.readyState).toBe(WebSocket.OPEN);
    const counters = await expectErrors(base, expected, probe);
    served('malformed batches', report, probe, { sent: `${sent} (${ROUNDS} x (${CASES.length} POST + ${CASES.length} WS text + 1 WS binary))`, expected: '400 malformedJson/badBatch, 422 notObject; WS acks alike', observed: counters });
  });

  it('oversized: 1001 ticks gets 413 oversizedBatch, a body over 1 MiB 413 bodyTooLarge (connection reusable), a message over 1 MiB closes with 1009', async () => {
    const { base, port, server } = await start();
    expect(server.stats().limits).toMatchObject({ maxBatchTicks: 1000, maxBodyBytes: 1024 * 1024, maxMessageBytes: 1024 * 1024 });
    const probe = await wellBehaved(base);
    const tooMany = JSON.stringify(Array.from({ length: 1001 }, () => ({ symbol: 'A', bid: 1, ask: 2, size: 1 })));
    const tooBig = JSON.stringify([{ symbol: 'A', bid: 1, ask: 2, size: 1, pad: 'x'.repeat(1024 * 1024) }]);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    closers.push(() => agent.destroy());
    const viaAgent = (body: string, headers: Record<string, string> = {}): Promise<{ status: number; reused: boolean; text: string }> =>
      new Promise((resolve, reject) => {
        const req = request(`${base}/ticks`, { method: 'POST', agent, headers }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket, text }));
        });
        req.on('error', reject);
        req.end(body);
      });
    const observed = { oversizedBatch: 0, bodyTooLarge: 0, reusedAfter413: 0, chunked413: 0, close1009: 0, wsOversized: 0 };
    const report = await whileServing(async () => {
      for (let i = 0; i < 5; i++) {
        const many = await post(base, tooMany);
        expect(many).toMatchObject({ status: 413, json: { batchError: { reason: 'oversizedBatch', error: expect.stringContaining('TIDEMARK_PE_MAX_BATCH') } } });
        observed.oversizedBatch++;
        const big = await viaAgent(tooBig);
        expect(big.status).toBe(413);
        expect(JSON.parse(big.text)).toMatchObject({ batchError: { reason: 'bodyTooLarge', error: expect.stringContaining('TIDEMARK_PE_MAX_BODY_BYTES') } });
        observed.bodyTooLarge++;
        const after = await viaAgent(JSON.stringify({ symbol: 'OK', bid: 1, ask: 2, size: 1 }));
        expect(after).toMatchObject({ status: 200, reused: true }); // the discarded upload left the connection usable
        observed.reusedAfter413++;
        // No Content-Length: the streamed bound refuses it too.
        const streamed = await rawRequest({ port, data: buildRequest({ method: 'POST', path: '/ticks', headers: { 'Transfer-Encoding': 'chunked' }, body: chunked([tooBig.slice(0, 600_000), tooBig.slice(600_000)]) }), timeoutMs: 5000 });
        expect(streamed.status).toBe(413);
        observed.chunked413++;
        observed.bodyTooLarge++;
        const ws = await ticksWs(base);
        ws.ws.send(tooMany);
        await ws.wait(1);
        expect(ws.replies[0]).toMatchObject({ type: 'ack', batchError: { reason: 'oversizedBatch' } });
        observed.wsOversized++;
        ws.ws.send(tooBig);
        expect(await ws.closed).toBe(1009);
        observed.close1009++;
      }
    }, probe.run, PROBE);
    const counters = await expectErrors(base, { oversizedBatch: observed.oversizedBatch + observed.wsOversized, bodyTooLarge: observed.bodyTooLarge + observed.close1009 }, probe);
    served('oversized', report, probe, { sent: '5 x (1001-tick POST, 1 MiB+ POST, 1 MiB+ chunked POST, 1001-tick WS, 1 MiB+ WS)', expected: '413 oversizedBatch / 413 bodyTooLarge (socket reused) / 413 / ack oversizedBatch / close 1009', observed: { ...observed, ...counters } });
  });

  it('invalid UTF-8: a WebSocket text message closes with 1007, a POST body gets 400 malformedJson, a query 400', async () => {
    const { base, port } = await start();
    const probe = await wellBehaved(base);
    const invalidBodies = [
      Buffer.concat([Buffer.from('{"symbol":"A'), Buffer.from([0xff]), Buffer.from('","bid":1,"ask":2,"size":1}')]),
      Buffer.concat([Buffer.from('{"id":"'), Buffer.from([0xc3, 0x28]), Buffer.from('","ticks":[{"symbol":"A","bid":1,"ask":2,"size":1}]}')]),
      Buffer.from([0xed, 0xa0, 0x80]),
    ];
    const observed = { ws1007: 0, post400: 0, query400: 0, rawPath400: 0 };
    const report = await whileServing(async () => {
      for (let i = 0; i < 30; i++) {
        const body = invalidBodies[i % invalidBodies.length]!;
        const ws = await ticksWs(base);
        ws.ws.send(body, { binary: false });
        expect(await ws.closed).toBe(1007);
        expect(ws.replies).toEqual([]);
        observed.ws1007++;
        const r = await rawRequest({ port, data: buildRequest({ method: 'POST', path: '/ticks', body, close: true }) });
        expect(r.status).toBe(400);
        expect(JSON.parse(r.text)).toMatchObject({ accepted: 0, batchError: { reason: 'malformedJson', error: expect.stringContaining('not valid UTF-8') } });
        observed.post400++;
        if (i < 10) {
          const q = await fetch(`${base}/quotes?symbols=A%FF`);
          expect(q.status).toBe(400);
          expect(await q.text()).toContain('is invalid');
          observed.query400++;
          const raw = await rawRequest({ port, data: Buffer.concat([Buffer.from('GET /quotes?symbols=A'), Buffer.from([0xff]), Buffer.from(' HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')]) });
          expect(raw.status).toBe(400); // Node's parser refuses bytes over 0x7f in the request target
          observed.rawPath400++;
        }
      }
    }, probe.run, PROBE);
    const counters = await expectErrors(base, { malformedJson: observed.post400 }, probe);
    served('invalid UTF-8', report, probe, { sent: `${observed.ws1007} WS messages, ${observed.post400} POST bodies, ${observed.query400} + ${observed.rawPath400} queries`, expected: 'close 1007 / 400 malformedJson / 400', observed: { ...observed, ...counters } });
  });

  it('invalid tick parameters and subscription queries get 422 with index and reason, 400 naming the problem', async () => {
    const { base, server } = await start();
    const probe = await wellBehaved(base);
    const ws = await ticksWs(base);
    const t = { symbol: 'A', bid: 1, ask: 2, size: 1 };
    const BAD: [string, string][] = [
      [JSON.stringify({ ...t, bid: 'NaN' }), 'badPrice'],
      [JSON.stringify({ ...t, bid: -1 }), 'badPrice'],
      [JSON.stringify({ ...t, bid: 0 }), 'badPrice'],
      ['{"symbol":"A","bid":1e400,"ask":2,"size":1}', 'badPrice'],
      [JSON.stringify({ ...t, ask: null }), 'badPrice'],
      [JSON.stringify({ ...t, bid: 3, ask: 2 }), 'crossed'],
      [JSON.stringify({ ...t, size: 0 }), 'badSize'],
      [JSON.stringify({ ...t, size: -5 }), 'badSize'],
      [JSON.stringify({ ...t, size: '1' }), 'badSize'],
      [JSON.stringify({ ...t, symbol: 'eur/usd' }), 'badSymbol'],
      [JSON.stringify({ ...t, symbol: '' }), 'badSymbol'],
      [JSON.stringify({ ...t, symbol: 'A'.repeat(25) }), 'badSymbol'],
      [JSON.stringify({ ...t, symbol: '.A' }), 'badSymbol'],
      [JSON.stringify({ ...t, symbol: 'A B' }), 'badSymbol'],
      [JSON.stringify({ ...t, symbol: 'ÄPFEL' }), 'badSymbol'],
      [JSON.stringify({ ...t, symbol: 5 }), 'badSymbol'],
      [JSON.stringify({ bid: 1, ask: 2, size: 1 }), 'badSymbol'],
      [JSON.stringify({ ...t, time: -1 }), 'badTime'],
      [JSON.stringify({ ...t, time: 'now' }), 'badTime'],
      ['[1]', 'notObject'],
      [JSON.stringify({ ...t, symbol: 'A\u0000' }), 'badSymbol'],
    ];
    const batch = `[${[...BAD.map(([b]) => b), JSON.stringify({ ...t, symbol: 'GOOD' })].join(',')}]`;
    const QUERIES: [string, number, string][] = [
      ['symbols=eurusd', 400, 'is invalid'],
      ['symbols=A%20B', 400, 'is invalid'],
      ['symbols=A%00', 400, 'is invalid'],
      ['symbols=.A', 400, 'is invalid'],
      [`symbols=${'A'.repeat(25)}`, 400, 'is invalid'],
      [`symbols=${Array.from({ length: 101 }, (_, i) => `S${i}`).join(',')}`, 400, 'TIDEMARK_PE_MAX_SUB_SYMBOLS'],
    ];
    const expected: Record<string, number> = {};
    let ticksSent = 0;
    let queriesSent = 0;
    const report = await whileServing(async () => {
      for (let round = 0; round < 20; round++) {
        const r = await post(base, batch);
        expect(r.status).toBe(422);
        expect(r.json).toMatchObject({ accepted: 1, rejected: BAD.length, moreErrors: BAD.length - 20 });
        expect((r.json.errors as Json[]).map((e) => [e.index, e.reason])).toEqual(BAD.slice(0, 20).map(([, reason], i) => [i, reason]));
        const n = ws.replies.length + 1;
        ws.ws.send(`{"id":${round},"ticks":${batch}}`);
        await ws.wait(n);
        expect(ws.replies[n - 1]).toMatchObject({ type: 'ack', id: round, accepted: 1, rejected: BAD.length });
        for (const [, reason] of BAD) expected[reason] = (expected[reason] ?? 0) + 2;
        ticksSent += 2 * BAD.length;
        for (const [query, status, text] of QUERIES) {
          const q = await fetch(`${base}/quotes?${query}`);
          expect(q.status, query).toBe(status);
          expect(await q.text(), query).toContain(text);
          queriesSent++;
        }
      }
    }, probe.run, PROBE);
    const first = (await post(base, `[${BAD[5]![0]}]`)).json.errors as Json[];
    expect(first[0]!.error).toBe('tick 0: bid 3 is above ask 2 (a crossed quote): expected bid <= ask');
    expected.crossed! += 1;
    const counters = await expectErrors(base, expected, probe);
    expect(server.stats().refused.badRequest).toBe(queriesSent);
    served('invalid parameters', report, probe, { sent: `${ticksSent + 1} bad ticks (in ${2 * 20 + 1} batches) + ${queriesSent} bad subscriptions`, expected: '422 / ack with index+reason per tick; 400 per query', observed: { ...counters, refusedQueries: queriesSent } });
  });

  it('slowloris on /health, POST /ticks, GET /quotes and the /ticks upgrade (408 by the headers timeout), and a trickled body (408 by the request timeout)', async () => {
    const { base, port } = await start();
    const probe = await wellBehaved(base);
    const heads = [
      `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n`,
      `POST /ticks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n`,
      `GET /quotes?symbols=PROBE HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n`,
      `GET /ticks HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n`,
    ];
    const body = JSON.stringify({ symbol: 'SLOW', bid: 1, ask: 2, size: 1 }).padEnd(60, ' ');
    const head = `POST /ticks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${body.length}\r\n\r\n`;
    const report = await whileServing(
      () =>
        Promise.all([
          Promise.all(heads.map((h) => slowloris({ port, head: h, count: 40, byteIntervalMs: 50, durationMs: TEST_HTTP_LIMITS.headersTimeoutMs + TIMING_SLACK_MS + 3000 }))),
          Promise.all(Array.from({ length: 10 }, () => rawRequest({ port, data: [head, ...body.split('')], partDelayMs: 100, timeoutMs: TEST_HTTP_LIMITS.requestTimeoutMs + TIMING_SLACK_MS + 1000 }))),
        ]),
      probe.run,
      PROBE,
    );
    const [lorises, slowBodies] = report.attack;
    for (const r of lorises) {
      expect(r).toMatchObject({ opened: 40, failed: 0, droppedByServer: 40, stillOpen: 0, statuses: { 408: 40 } });
      expect(r.maxLifetimeMs).toBeLessThan(TEST_HTTP_LIMITS.headersTimeoutMs + TIMING_SLACK_MS);
    }
    for (const r of slowBodies) {
      expect(r).toMatchObject({ status: 408, closedByServer: true });
      expect(r.elapsedMs).toBeLessThan(TEST_HTTP_LIMITS.requestTimeoutMs + TIMING_SLACK_MS);
    }
    const counters = await expectErrors(base, {}, probe);
    served('slowloris', report, probe, {
      sent: '4 x 40 heads trickled (1 byte / 50 ms) + 10 bodies trickled (1 byte / 100 ms)',
      expected: `408 + close: heads within headersTimeout, bodies within requestTimeout (test ${TEST_HTTP_LIMITS.headersTimeoutMs}/${TEST_HTTP_LIMITS.requestTimeoutMs} ms; defaults ${HTTP_LIMITS.headersTimeoutMs}/${HTTP_LIMITS.requestTimeoutMs} ms)`,
      observed: { heads: lorises.map((r) => ({ dropped: r.droppedByServer, statuses: r.statuses, maxLifetimeMs: Math.round(r.maxLifetimeMs) })), bodies: { statuses: [...new Set(slowBodies.map((r) => r.status))], maxElapsedMs: Math.round(Math.max(...slowBodies.map((r) => r.elapsedMs))) }, ...counters },
    });
  });

  it(`${IDLE.tcp} idle TCP sockets are dropped by the headers timeout; ${IDLE.ws} idle WebSocket sessions are held up to the limit, then 503`, async () => {
    expect(IDLE.tcp, `ulimit -n ${openFileLimit()} leaves room for ${IDLE.tcp} idle sockets`).toBeGreaterThanOrEqual(MIN_SOCKET_BUDGET);
    const { base, port, server } = await start({ maxWsSessions: IDLE.ws + 1 }); // + the well-behaved client's session
    const probe = await wellBehaved(base);
    let idleWs: WebSocket[] = [];
    let refused: number[] = [];
    const report = await whileServing(
      () =>
        idleUntilDropped({
          port,
          count: IDLE.tcp,
          waitMs: TEST_HTTP_LIMITS.headersTimeoutMs + TIMING_SLACK_MS + 3000,
          meanwhile: async () => {
            idleWs = await Promise.all(Array.from({ length: IDLE.ws }, () => ticksWs(base).then((w) => w.ws)));
            expect(server.stats().wsSessions).toBe(IDLE.ws + 1);
            const answers = await upgradeAttempts({ port, path: '/ticks', count: 20 });
            for (const r of answers) expect(r.text).toContain('TIDEMARK_PE_MAX_WS');
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
    expect(server.stats().refused.overload).toBe(20);
    const counters = await expectErrors(base, {}, probe);
    served('idle connections', report, probe, {
      sent: `${IDLE.tcp} idle TCP sockets + ${IDLE.ws} idle WebSocket sessions + 20 upgrades past the limit (ulimit -n ${openFileLimit()})`,
      expected: 'TCP: 408 + close by headers timeout; WS: held (no idle timeout), limit → 503',
      observed: { tcpDroppedByServer: idle.closedByServer(), maxTcpLifetimeMs: Math.round(maxLifetimeMs), wsHeld: IDLE.ws, upgrades503: refused.filter((s) => s === 503).length, ...counters },
    });
  });
});
