import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { NO_FAULTS, type FaultConfig } from '../common/faults.ts';
import { openSse, type TestClient } from '../sse/test-client.ts';
import { dashboardDir } from './dashboard-files.ts';
import type { PriceEngineOptions } from './options.ts';
import { createPriceEngine, type PriceEngineServer } from './server.ts';

const servers: PriceEngineServer[] = [];
const clients: { close(): void }[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(overrides: Partial<Omit<PriceEngineOptions, 'faults'>> & { faults?: Partial<FaultConfig> } = {}): Promise<{ server: PriceEngineServer; url: string }> {
  const server = createPriceEngine({ ...overrides, faults: { ...NO_FAULTS, ...overrides.faults } });
  servers.push(server);
  const address = await server.listen(0);
  return { server, url: `http://127.0.0.1:${address.port}` };
}

async function subscribe(url: string): Promise<TestClient> {
  const c = await openSse(url);
  clients.push(c);
  return c;
}

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> & { accepted?: number; rejected?: number } }> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const tick = (symbol: string, bid = 1, ask = 2, size = 1, time?: number) => ({ symbol, bid, ask, size, ...(time === undefined ? {} : { time }) });
const quoteData = (c: TestClient) => c.events.filter((e) => e.event === 'quote').map((e) => JSON.parse(e.data) as { symbol: string; seq: number; t: number; e: number });

describe('POST /ticks', () => {
  it('answers 200 when all ticks are accepted and 422 listing the refused ones', async () => {
    const { server, url } = await start();
    const ok = await post(`${url}/ticks`, JSON.stringify([tick('A'), tick('B')]));
    expect(ok).toEqual({ status: 200, json: { accepted: 2, rejected: 0, errors: [] } });
    const mixed = await post(`${url}/ticks`, JSON.stringify({ id: 'b1', ticks: [tick('A'), tick('A', 3, 2), tick('lower')] }));
    expect(mixed.status).toBe(422);
    expect(mixed.json).toMatchObject({ id: 'b1', accepted: 1, rejected: 2, errors: [{ index: 1, reason: 'crossed' }, { index: 2, reason: 'badSymbol' }] });
    expect(server.stats()).toMatchObject({ ops: 3, ticksProcessed: 3, ticksRejected: 2 });
  });

  it('answers 400 to malformed JSON and 413 to oversized batches and bodies, and keeps serving', async () => {
    const { server, url } = await start({ maxBatchTicks: 5, maxBodyBytes: 2048 });
    const bad = await post(`${url}/ticks`, '{"symbol":"A","bid":NaN}');
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ batchError: { reason: 'malformedJson', error: expect.stringContaining('malformed JSON') } });
    const many = await post(`${url}/ticks`, JSON.stringify(Array.from({ length: 6 }, () => tick('A'))));
    expect(many).toMatchObject({ status: 413, json: { batchError: { reason: 'oversizedBatch' } } });
    const huge = await post(`${url}/ticks`, JSON.stringify(Array.from({ length: 4 }, () => ({ ...tick('A'), pad: 'x'.repeat(1000) }))));
    expect(huge.status).toBe(413);
    expect(huge.json).toMatchObject({ batchError: { reason: 'bodyTooLarge', error: expect.stringContaining('TIDEMARK_PE_MAX_BODY_BYTES') } });
    expect((await post(`${url}/ticks`, JSON.stringify(tick('A')))).status).toBe(200);
    expect(server.stats().rejected).toMatchObject({ malformedJson: 1, oversizedBatch: 1, bodyTooLarge: 1 });
  });

  it('answers GET /ticks without upgrade with 426, other methods with 405, unknown paths with 404', async () => {
    const { url } = await start();
    const get = await fetch(`${url}/ticks`);
    expect(get.status).toBe(426);
    expect(await get.text()).toContain('WebSocket endpoint');
    expect((await fetch(`${url}/ticks`, { method: 'PUT' })).status).toBe(405);
    const nf = await fetch(`${url}/nope`);
    expect(nf.status).toBe(404);
    expect(await nf.text()).toContain('/quotes');
  });
});

describe('GET /quotes', () => {
  it('streams quotes of the chosen symbols only, with client time and emit time', async () => {
    const { url } = await start();
    const ab = await subscribe(`${url}/quotes?symbols=A,B`);
    const all = await subscribe(`${url}/quotes`);
    expect(ab.status).toBe(200);
    expect(ab.headers['content-type']).toMatch(/^text\/event-stream/);
    const sent = Date.now();
    await post(`${url}/ticks`, JSON.stringify([tick('A', 1, 2, 1, sent), tick('C'), tick('B'), tick('A')]));
    await all.waitFor((c) => quoteData(c).length >= 4);
    await ab.waitFor((c) => quoteData(c).length >= 3);
    expect(quoteData(ab).map((q) => `${q.symbol}${q.seq}`)).toEqual(['A1', 'B1', 'A2']);
    expect(quoteData(all).map((q) => q.symbol)).toEqual(['A', 'C', 'B', 'A']);
    const first = quoteData(ab)[0]!;
    expect(first.t).toBe(sent);
    expect(first.e).toBeGreaterThanOrEqual(sent);
    expect(ab.events[0]!.receivedAt - first.e).toBeLessThan(1000);
  });

  it('refuses bad symbol lists and too many subscribers with clear errors; counts sessions in /stats', async () => {
    const { server, url } = await start({ maxSubscribers: 1, maxSubscriptionSymbols: 2 });
    const bad = await subscribe(`${url}/quotes?symbols=A,b%20c`);
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('symbols: "b c" is invalid');
    const many = await subscribe(`${url}/quotes?symbols=A,B,C`);
    expect(many.status).toBe(400);
    expect(many.body).toContain('TIDEMARK_PE_MAX_SUB_SYMBOLS');
    const one = await subscribe(`${url}/quotes?symbols=A`);
    expect(one.status).toBe(200);
    const two = await subscribe(`${url}/quotes`);
    expect(two.status).toBe(503);
    expect(two.body).toContain('TIDEMARK_PE_MAX_SUBSCRIBERS');
    const stats = (await (await fetch(`${url}/stats`)).json()) as { connections: { current: number; peak: number }; subscribers: number };
    expect(stats.subscribers).toBe(1);
    expect(stats.connections).toEqual({ current: 1, peak: 1 }); // the stream, not the /stats request
    one.close();
    await one.ended;
    await new Promise((r) => setTimeout(r, 50));
    expect(server.stats().subscribers).toBe(0);
  });

  it('memory fault holds a resident buffer per subscriber', async () => {
    const { url } = await start({ faults: { memKb: 2048 } });
    // Buffers live outside the JS heap: arrayBuffers counts them exactly (RSS also moves with GC of earlier tests).
    const before = process.memoryUsage().arrayBuffers;
    await Promise.all([1, 2, 3, 4].map(() => subscribe(`${url}/quotes`)));
    expect(process.memoryUsage().arrayBuffers - before).toBeGreaterThanOrEqual(4 * 2048 * 1024);
  });
});

/** Opens a WebSocket to /ticks and collects the engine's replies. */
async function openWs(url: string): Promise<{ ws: WebSocket; replies: Record<string, unknown>[]; next(): Promise<Record<string, unknown>>; closed: Promise<number> }> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/ticks`);
  clients.push({ close: () => ws.terminate() });
  const replies: Record<string, unknown>[] = [];
  const waiters: ((r: Record<string, unknown>) => void)[] = [];
  ws.on('message', (data) => {
    const reply = JSON.parse(String(data)) as Record<string, unknown>;
    replies.push(reply);
    waiters.shift()?.(reply);
  });
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, replies, next: () => new Promise((r) => waiters.push(r)), closed };
}

describe('WebSocket /ticks', () => {
  it('processes batches; acks those with an id and every refusal; quotes reach subscribers', async () => {
    const { server, url } = await start();
    const sub = await subscribe(`${url}/quotes?symbols=W`);
    const { ws, next, replies } = await openWs(url);
    ws.send(JSON.stringify([tick('W'), tick('W')])); // no id, all fine: no reply
    ws.send(JSON.stringify({ id: 7, ticks: [tick('W')] }));
    expect(await next()).toEqual({ type: 'ack', id: 7, accepted: 1, rejected: 0, errors: [] });
    ws.send(JSON.stringify(tick('W', 5, 4)));
    expect(await next()).toMatchObject({ type: 'ack', accepted: 0, rejected: 1, errors: [{ index: 0, reason: 'crossed' }] });
    ws.send('not json');
    expect(await next()).toMatchObject({ type: 'ack', batchError: { reason: 'malformedJson' } });
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await next()).toMatchObject({ batchError: { reason: 'badBatch', error: expect.stringContaining('binary message') } });
    expect(replies).toHaveLength(4);
    await sub.waitFor((c) => quoteData(c).length >= 3);
    expect(quoteData(sub).map((q) => q.seq)).toEqual([1, 2, 3]);
    expect(server.stats()).toMatchObject({ wsSessions: 1, connections: { current: 2 } });
  });

  it('closes with 1009 on a message over the limit, and refuses sessions beyond the limit', async () => {
    const { server, url } = await start({ maxMessageBytes: 2048, maxWsSessions: 1 });
    const a = await openWs(url);
    await expect(openWs(url)).rejects.toThrow('503');
    a.ws.send('x'.repeat(4096));
    expect(await a.closed).toBe(1009);
    expect(server.stats().rejected.bodyTooLarge).toBe(1);
  });
});

describe('metrics', () => {
  it('/metrics.json reports engine latency, throughput, errors; a mark isolates a window', async () => {
    const { url } = await start();
    await post(`${url}/ticks`, JSON.stringify([tick('A'), tick('A')]));
    const mark = (await (await fetch(`${url}/metrics/marks`, { method: 'POST' })).json()) as { id: string };
    await post(`${url}/ticks`, JSON.stringify([tick('A'), tick('B'), tick('B', 3, 2)]));
    const m = (await (await fetch(`${url}/metrics.json?mark=${mark.id}`)).json()) as {
      latency: { count: number; p50: number; p95: number; p99: number; mean: number; min: number; max: number };
      window: { latency: { count: number }; mark: string };
      totals: { ticksProcessed: number };
      errors: { total: number; rate: number; byReason: Record<string, number> };
      uptimeS: number;
      throughput: { ticksPerS: number };
    };
    expect(m.latency.count).toBe(4);
    for (const k of ['p50', 'p95', 'p99', 'mean', 'min', 'max'] as const) expect(m.latency[k]).toBeGreaterThan(0);
    expect(m.window).toMatchObject({ mark: mark.id, latency: { count: 2 } });
    expect(m.totals.ticksProcessed).toBe(4);
    expect(m.errors).toMatchObject({ total: 1, byReason: { crossed: 1 } });
    expect(m.errors.rate).toBeCloseTo(1 / 5, 5);
    expect(m.uptimeS).toBeGreaterThan(0);
    const unknown = await fetch(`${url}/metrics.json?mark=nope`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('POST /metrics/marks');
    const later = (await (await fetch(`${url}/metrics/marks`, { method: 'POST', body: '{"afterMs":60000}' })).json()) as { id: string };
    const pending = await fetch(`${url}/metrics.json?mark=${later.id}`);
    expect(pending.status).toBe(409);
    expect(await pending.text()).toContain('created with a delay');
    expect((await fetch(`${url}/metrics/marks`, { method: 'POST', body: '{"afterMs":-1}' })).status).toBe(400);
  });

  it('/metrics is Prometheus text with HELP/TYPE, a latency summary in seconds and counters', async () => {
    const { url } = await start();
    await post(`${url}/ticks`, JSON.stringify([tick('A'), tick('A', 2, 1)]));
    const res = await fetch(`${url}/metrics`);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('# TYPE price_engine_tick_to_quote_seconds summary');
    expect(text).toMatch(/^price_engine_tick_to_quote_seconds\{quantile="0\.95"\} \d\.\d+(e-\d+)?$/m);
    expect(text).toMatch(/^price_engine_tick_to_quote_seconds_count 1$/m);
    expect(text).toMatch(/^price_engine_ticks_processed_total 1$/m);
    expect(text).toMatch(/^price_engine_rejections_total\{reason="crossed"\} 1$/m);
    // Every family is announced once, before its samples.
    const types = text.split('\n').filter((l) => l.startsWith('# TYPE')).map((l) => l.split(' ')[2]);
    expect(new Set(types).size).toBe(types.length);
    for (const line of text.trimEnd().split('\n').filter((l) => !l.startsWith('#'))) {
      const name = /^([a-z_:]+?)(_sum|_count)?(\{|\s)/.exec(line)![1]!;
      expect(types, line).toContain(name);
    }
  });
});

describe('dashboard and performance test', () => {
  it('serves the page, its script and uPlot', async () => {
    const { url } = await start();
    const page = await fetch(`${url}/`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('Run performance test');
    for (const src of ['/dashboard.js', '/dashboard.css', '/vendor/uPlot.iife.min.js', '/vendor/uPlot.min.css']) {
      expect(html).toContain(src);
      const res = await fetch(`${url}${src}`);
      expect(res.status, src).toBe(200);
      expect((await res.arrayBuffer()).byteLength, src).toBeGreaterThan(100);
    }
  });

  it('finds the dashboard files beside the source and from the harness bundle folder', () => {
    const here = fileURLToPath(new URL('.', import.meta.url));
    const expected = join(here, 'dashboard');
    expect(dashboardDir(here)).toBe(expected);
    expect(dashboardDir(join(here, '..', '..', '.tools', 'targets'))).toBe(expected);
    expect(() => dashboardDir('/')).toThrow('cannot find the dashboard files');
  });

  it('POST /perf-test runs the asked ticks through the engine and judges p95 < 1 ms', async () => {
    const { server, url } = await start();
    const res = await post(`${url}/perf-test`, JSON.stringify({ ticks: 2000, warmupTicks: 500, rate: 20000 }));
    expect(res.status).toBe(200);
    const r = res.json as { ticks: number; accepted: number; measured: number; latency: { p95: number; count: number }; pass: boolean; requirement: { belowMs: number }; achievedRate: number };
    expect(r).toMatchObject({ ticks: 2000, warmupTicks: 500, accepted: 2000, measured: 2000, requirement: { belowMs: 1 } });
    expect(r.pass).toBe(r.latency.p95 < 1);
    expect(r.achievedRate).toBeGreaterThan(5000);
    expect(server.stats().ticksProcessed).toBe(2500); // the real path: warm-up and test counted like any tick
    const bad = await fetch(`${url}/perf-test`, { method: 'POST', body: '{"ticks":0}' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('ticks=0 is invalid');
  });

  it('a slow engine (delay fault) fails the performance test', async () => {
    const { url } = await start({ faults: { delayMs: 2 } });
    const res = await post(`${url}/perf-test`, JSON.stringify({ ticks: 500, warmupTicks: 0 }));
    expect(res.json).toMatchObject({ pass: false, measured: 500 });
    expect((res.json as { latency: { p95: number } }).latency.p95).toBeGreaterThanOrEqual(2);
  });

  it('one test at a time: a second request while one runs gets 409', async () => {
    const { url } = await start();
    const first = post(`${url}/perf-test`, JSON.stringify({ ticks: 3000, warmupTicks: 0, rate: 10000 }));
    await new Promise((r) => setTimeout(r, 50));
    const second = await fetch(`${url}/perf-test`, { method: 'POST', body: '' });
    expect(second.status).toBe(409);
    expect((await first).status).toBe(200);
  });
});

describe('robustness', () => {
  it('a POST whose client goes away mid-body does not crash the server', async () => {
    const { url } = await start();
    await new Promise<void>((resolve) => {
      const req = request(`${url}/ticks`, { method: 'POST', headers: { 'content-length': '1000' } });
      req.on('error', () => resolve());
      req.write('[{"symbol":');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 20);
    });
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });
});
