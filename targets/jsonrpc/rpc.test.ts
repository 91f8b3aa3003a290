/**
 * `POST /rpc` over real HTTP: the specification's section 7 examples adapted to this server's
 * methods, the HTTP framing (200 / 204 / 413 / 405), the methods, the cache, limits and faults.
 */
import * as hdr from 'hdr-histogram-js';
import { afterEach, describe, expect, it } from 'vitest';
import type { HandlingTimeSnapshot } from '../common/handling-time.ts';
import { NO_FAULTS, type FaultConfig } from '../common/faults.ts';
import { computeDigest } from './compute.ts';
import type { JsonRpcOptions } from './options.ts';
import { createJsonRpcServer, type JsonRpcServer, type JsonRpcStats } from './server.ts';

const servers: JsonRpcServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

type Overrides = Partial<Omit<JsonRpcOptions, 'faults'>> & { faults?: Partial<FaultConfig> };

async function start(overrides: Overrides = {}): Promise<{ server: JsonRpcServer; url: string }> {
  const server = createJsonRpcServer({ ...overrides, faults: { ...NO_FAULTS, ...overrides.faults } });
  servers.push(server);
  const { port } = await server.listen(0);
  return { server, url: `http://127.0.0.1:${port}` };
}

interface HttpReply {
  status: number;
  text: string;
  json: unknown;
  headers: Headers;
}

async function post(url: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<HttpReply> {
  const res = await fetch(`${url}/rpc`, { method: 'POST', body, headers });
  const text = await res.text();
  return { status: res.status, text, json: text === '' ? undefined : JSON.parse(text), headers: res.headers };
}

async function stats(url: string): Promise<JsonRpcStats> {
  return (await (await fetch(`${url}/stats`)).json()) as JsonRpcStats;
}

describe('section 7 examples over HTTP, adapted to echo / compute / tools/list', () => {
  it('positional and named params (echo returns them, compute gives the same digest either way)', async () => {
    const { url } = await start();
    expect((await post(url, '{"jsonrpc": "2.0", "method": "echo", "params": [42, 23], "id": 1}')).json).toEqual({ jsonrpc: '2.0', result: [42, 23], id: 1 });
    expect((await post(url, '{"jsonrpc": "2.0", "method": "echo", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}')).json).toEqual({
      jsonrpc: '2.0',
      result: { subtrahend: 23, minuend: 42 },
      id: 3,
    });
    const byPosition = await post(url, '{"jsonrpc": "2.0", "method": "compute", "params": [1000], "id": 5}');
    const byName = await post(url, '{"jsonrpc": "2.0", "method": "compute", "params": {"iterations": 1000}, "id": 6}');
    expect(byPosition.json).toEqual({ jsonrpc: '2.0', result: { iterations: 1000, digest: computeDigest(1000) }, id: 5 });
    expect((byName.json as { result: unknown }).result).toEqual((byPosition.json as { result: unknown }).result);
  });

  it('notifications get 204 and no body, for known and unknown methods', async () => {
    const { server, url } = await start();
    for (const body of ['{"jsonrpc": "2.0", "method": "echo", "params": [1,2,3,4,5]}', '{"jsonrpc": "2.0", "method": "foobar"}']) {
      const r = await post(url, body);
      expect(r.status).toBe(204);
      expect(r.text).toBe('');
    }
    expect(server.stats().rpc.notifications).toBe(2);
    expect(server.stats().ops).toBe(0);
  });

  it('non-existent method, invalid JSON, invalid Request object', async () => {
    const { url } = await start();
    const notFound = await post(url, '{"jsonrpc": "2.0", "method": "foobar", "id": "1"}');
    expect(notFound.status).toBe(200);
    expect(notFound.json).toEqual({ jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: '1' });
    expect((await post(url, '{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]')).json).toMatchObject({ error: { code: -32700, message: 'Parse error' }, id: null });
    expect((await post(url, '{"jsonrpc": "2.0", "method": 1, "params": "bar"}')).json).toMatchObject({ error: { code: -32600, message: 'Invalid Request' }, id: null });
  });

  it('batch with invalid JSON, empty array, [1], [1,2,3]', async () => {
    const { url } = await start();
    const badBatch = await post(url, '[{"jsonrpc": "2.0", "method": "echo", "params": [1,2,4], "id": "1"},{"jsonrpc": "2.0", "method"]');
    expect(badBatch.json).toMatchObject({ error: { code: -32700 }, id: null });
    const empty = await post(url, '[]');
    expect(empty.json).toMatchObject({ error: { code: -32600, message: 'Invalid Request' }, id: null });
    expect(Array.isArray(empty.json)).toBe(false);
    expect(await post(url, '[1]').then((r) => r.json)).toEqual([expect.objectContaining({ error: expect.objectContaining({ code: -32600 }), id: null })]);
    const three = (await post(url, '[1,2,3]')).json as unknown[];
    expect(three).toHaveLength(3);
    for (const r of three) expect(r).toMatchObject({ error: { code: -32600 }, id: null });
  });

  it('mixed batch: results, a notification left out, an invalid request, a missing method', async () => {
    const { url } = await start();
    const r = await post(
      url,
      `[
        {"jsonrpc": "2.0", "method": "compute", "params": [7], "id": "1"},
        {"jsonrpc": "2.0", "method": "echo", "params": [7]},
        {"jsonrpc": "2.0", "method": "echo", "params": [42,23], "id": "2"},
        {"foo": "boo"},
        {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
        {"jsonrpc": "2.0", "method": "tools/list", "id": "9"}
      ]`,
    );
    const list = r.json as Record<string, unknown>[];
    expect(list.map((x) => x.id)).toEqual(['1', '2', null, '5', '9']);
    expect(list[0]).toEqual({ jsonrpc: '2.0', result: { iterations: 7, digest: computeDigest(7) }, id: '1' });
    expect(list[1]).toEqual({ jsonrpc: '2.0', result: [42, 23], id: '2' });
    expect(list[2]).toMatchObject({ error: { code: -32600 } });
    expect(list[3]).toEqual({ jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: '5' });
    expect((list[4]!.result as { tools: { name: string }[] }).tools.map((t) => t.name)).toEqual(['echo', 'compute', 'sleep']);
  });

  it('a batch of notifications only: 204, no body', async () => {
    const { url } = await start();
    const r = await post(url, '[{"jsonrpc": "2.0", "method": "echo", "params": [1,2,4]},{"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}]');
    expect(r.status).toBe(204);
    expect(r.text).toBe('');
  });
});

describe('methods', () => {
  it('invalid params (-32602) name the parameter and its range', async () => {
    const { url } = await start({ maxSleepMs: 100, maxIterations: 1000 });
    const cases: [string, string][] = [
      ['{"jsonrpc":"2.0","method":"compute","params":{"iterations":1001},"id":1}', 'from 0 to 1000'],
      ['{"jsonrpc":"2.0","method":"compute","params":[1.5],"id":1}', '"iterations" must be an integer'],
      ['{"jsonrpc":"2.0","method":"compute","params":[1, 2],"id":1}', 'one positional parameter'],
      ['{"jsonrpc":"2.0","method":"compute","id":1}', 'needs "iterations"'],
      ['{"jsonrpc":"2.0","method":"sleep","params":{"ms":101},"id":1}', '"ms" must be a number from 0 to 100'],
      ['{"jsonrpc":"2.0","method":"sleep","params":["5"],"id":1}', '"ms" must be a number'],
      ['{"jsonrpc":"2.0","method":"tools/call","params":{"name":"nope"},"id":1}', 'unknown tool "nope"; tools: echo, compute, sleep'],
      ['{"jsonrpc":"2.0","method":"tools/call","params":[1],"id":1}', 'tools/call needs {"name": string'],
      ['{"jsonrpc":"2.0","method":"tools/call","params":{"name":"compute","arguments":{"iterations":-1}},"id":1}', 'arguments of compute'],
      ['{"jsonrpc":"2.0","method":"tools/call","params":{"name":"echo","arguments":{}},"id":1}', 'arguments of echo'],
      ['{"jsonrpc":"2.0","method":"tools/list","params":[1],"id":1}', 'no positional parameters'],
    ];
    for (const [body, text] of cases) {
      const r = (await post(url, body)).json as { error: { code: number; message: string } };
      expect(r.error.code, body).toBe(-32602);
      expect(r.error.message, body).toContain(text);
    }
  });

  it('sleep answers after the asked time; calls of a batch run concurrently', async () => {
    const { url } = await start();
    const t0 = performance.now();
    const r = await post(url, JSON.stringify([30, 30, 30].map((ms, id) => ({ jsonrpc: '2.0', method: 'sleep', params: { ms }, id }))));
    const took = performance.now() - t0;
    expect(r.json).toEqual([0, 1, 2].map((id) => ({ jsonrpc: '2.0', result: { sleptMs: 30 }, id })));
    expect(took).toBeGreaterThanOrEqual(29);
    expect(took).toBeLessThan(80); // not 3 x 30 ms
  });

  it('tools/call results are MCP tool results; the cache hit ratio shows in /stats', async () => {
    const { url } = await start();
    const call = (iterations: number, id: number): Promise<HttpReply> =>
      post(url, JSON.stringify({ jsonrpc: '2.0', method: 'tools/call', params: { name: 'compute', arguments: { iterations } }, id }));
    const first = (await call(500, 1)).json as { result: { structuredContent: unknown; content: { type: string; text: string }[]; _meta: unknown } };
    expect(first.result.structuredContent).toEqual({ iterations: 500, digest: computeDigest(500) });
    expect(JSON.parse(first.result.content[0]!.text)).toEqual(first.result.structuredContent);
    expect(first.result._meta).toEqual({ 'tidemark/cache': 'miss' });
    for (let i = 0; i < 3; i++) expect(((await call(500, 2 + i)).json as typeof first).result._meta).toEqual({ 'tidemark/cache': 'hit' });
    await call(501, 9);
    const sleep = (await post(url, '{"jsonrpc":"2.0","method":"tools/call","params":{"name":"sleep","arguments":{"ms":1}},"id":10}')).json as typeof first;
    expect(sleep.result._meta).toBeUndefined(); // never cached
    expect((await stats(url)).cache).toEqual({ hits: 3, misses: 2, hitRatio: 0.6, entries: 2, capacity: 10_000 });
  });

  it('the LRU keeps the most recently used entries within its capacity', async () => {
    const { url } = await start({ cacheEntries: 2 });
    const meta = async (message: string): Promise<unknown> =>
      ((await post(url, JSON.stringify({ jsonrpc: '2.0', method: 'tools/call', params: { name: 'echo', arguments: { message } }, id: 1 }))).json as { result: { _meta: Record<string, string> } }).result._meta['tidemark/cache'];
    expect([await meta('a'), await meta('b'), await meta('a'), await meta('c'), await meta('a'), await meta('b')]).toEqual(['miss', 'miss', 'hit', 'miss', 'hit', 'miss']);
    expect((await stats(url)).cache.entries).toBe(2);
  });
});

describe('HTTP framing and limits', () => {
  it('answers 413 with a JSON-RPC error for a body over the limit, and keeps serving', async () => {
    const { server, url } = await start({ maxBodyBytes: 1024 });
    const big = JSON.stringify({ jsonrpc: '2.0', method: 'echo', params: ['x'.repeat(2000)], id: 1 });
    const r = await post(url, big);
    expect(r.status).toBe(413);
    expect(r.json).toMatchObject({ jsonrpc: '2.0', error: { code: -32600, data: expect.stringContaining('over 1024 bytes') }, id: null });
    // A chunked body (no Content-Length) over the limit is refused too.
    const chunked = await fetch(`${url}/rpc`, {
      method: 'POST',
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit & { duplex: 'half' });
    expect(chunked.status).toBe(413);
    await chunked.text();
    expect((await post(url, '{"jsonrpc":"2.0","method":"echo","params":[1],"id":2}')).json).toMatchObject({ result: [1] });
    expect(server.stats().rpc.bodyTooLarge).toBe(2);
  });

  it('refuses a batch over the limit with one -32600 naming the limit', async () => {
    const { url } = await start({ maxBatch: 2 });
    const r = await post(url, JSON.stringify([1, 2, 3].map((id) => ({ jsonrpc: '2.0', method: 'echo', id }))));
    expect(r.json).toMatchObject({ error: { code: -32600, data: expect.stringContaining('limit of 2') }, id: null });
  });

  it('answers 405 with Allow for GET /rpc, 404 naming the paths; an empty or binary body is a parse error', async () => {
    const { url } = await start();
    const get = await fetch(`${url}/rpc`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const nf = await fetch(`${url}/nope`);
    expect(nf.status).toBe(404);
    expect(await nf.text()).toContain('/rpc, /mcp');
    expect((await post(url, '')).json).toMatchObject({ error: { code: -32700 } });
    const binary = await fetch(`${url}/rpc`, { method: 'POST', body: new Uint8Array([0xff, 0xfe, 0x00, 0x7b]) });
    expect(await binary.json()).toMatchObject({ error: { code: -32700 } });
  });

  it('survives hostile input: deep nesting, a huge batch of invalid entries, a torn connection', async () => {
    const { url } = await start();
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const r = await post(url, `{"jsonrpc":"2.0","method":"echo","params":${deep},"id":1}`);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ id: 1 }); // a result, or -32603 when too deep to serialise: never a crash
    const torn = new AbortController();
    const pending = fetch(`${url}/rpc`, { method: 'POST', body: '{"jsonrpc":"2.0","method":"sleep","params":[200],"id":1}', signal: torn.signal });
    setTimeout(() => torn.abort(), 20);
    await expect(pending).rejects.toThrow();
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });
});

describe('/stats and faults', () => {
  it('reports the base shape: ops = calls answered, connections = protocol connections only', async () => {
    const { url } = await start();
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: 'ok', target: 'jsonrpc' });
    await post(url, '[{"jsonrpc":"2.0","method":"echo","id":1},{"jsonrpc":"2.0","method":"echo","id":2},{"jsonrpc":"2.0","method":"echo"}]');
    const s = await stats(url);
    expect(s.ops).toBe(2);
    expect(s.rpc).toMatchObject({ answered: 2, notifications: 1, batches: 1 });
    expect(s.connections.peak).toBe(1);
    expect(typeof s.rssBytes).toBe('number');
    expect(s.cpuUs).toMatchObject({ user: expect.any(Number), system: expect.any(Number) });
  });

  it('error rate answers that share of calls with -32000 saying it is injected; notifications untouched', async () => {
    const { server, url } = await start({ faults: { errorRate: 1 } });
    const r = await post(url, '{"jsonrpc":"2.0","method":"echo","params":[1],"id":1}');
    expect(r.json).toMatchObject({ error: { code: -32000, message: expect.stringContaining('injected fault') }, id: 1 });
    expect((await post(url, '{"jsonrpc":"2.0","method":"echo"}')).status).toBe(204);
    expect(server.stats().rpc.errors.injected).toBe(1);
  });

  it('error rate 0.3 fails about 30% of 400 calls', async () => {
    let seed = 42;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const { url } = await start({ faults: { errorRate: 0.3 }, random });
    const batch = JSON.stringify(Array.from({ length: 100 }, (_, id) => ({ jsonrpc: '2.0', method: 'echo', id })));
    let failed = 0;
    for (let i = 0; i < 4; i++) failed += ((await post(url, batch)).json as { error?: unknown }[]).filter((x) => x.error).length;
    expect(failed).toBeGreaterThan(80);
    expect(failed).toBeLessThan(160);
  });

  it('delay postpones every answer by DELAY_MS; CPU_US burns per call', async () => {
    const { url } = await start({ faults: { delayMs: 25 } });
    const t0 = performance.now();
    await post(url, '{"jsonrpc":"2.0","method":"echo","id":1}');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    const slow = await start({ faults: { cpuUs: 2000 } });
    const before = (await stats(slow.url)).cpuUs;
    await post(slow.url, JSON.stringify(Array.from({ length: 10 }, (_, id) => ({ jsonrpc: '2.0', method: 'echo', id }))));
    const after = (await stats(slow.url)).cpuUs;
    expect(after.user + after.system - before.user - before.system).toBeGreaterThan(15_000); // 10 calls x 2 ms
  });
});

describe('GET /stats/handling-time', () => {
  it('times each /rpc request from its head to its response, the delay fault included; scrapes are not timed', async () => {
    const { url } = await start({ faults: { delayMs: 15 } });
    for (let id = 1; id <= 3; id++) expect((await post(url, `{"jsonrpc":"2.0","method":"echo","params":[${id}],"id":${id}}`)).status).toBe(200);
    await stats(url);
    const snap = (await (await fetch(`${url}/stats/handling-time`)).json()) as HandlingTimeSnapshot;
    expect(snap.what).toMatch(/^request head parsed → response handed to the socket/);
    expect(snap.count).toBe(3);
    const h = hdr.decodeFromCompressedBase64(snap.histogram);
    expect(h.totalCount).toBe(3);
    expect(h.minNonZeroValue).toBeGreaterThanOrEqual(15_000 * 0.999); // µs
  });
});
