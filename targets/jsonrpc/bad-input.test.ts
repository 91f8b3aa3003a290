/**
 * Bad input against the JSON-RPC/MCP target (issue 9, point 6): every bad input gets its
 * documented answer (README "Bad input"), and a well-behaved client is served correctly all
 * along: `/rpc` echo and compute calls checked for their exact result, and MCP `tools/call`
 * in an open session, while the attack runs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect as tcpConnect } from 'node:net';
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
  type RawResponse,
  type ServingReport,
} from '../common/abuse.ts';
import { NO_FAULTS } from '../common/faults.ts';
import { HTTP_LIMITS, type HttpLimits } from '../common/http-limits.ts';
import { computeDigest } from './compute.ts';
import { JSONRPC_DEFAULTS, KEEP_ALIVE_TIMEOUT_MS, createJsonRpcServer, type JsonRpcServer } from './server.ts';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/**
 * A server on a free loopback port with the default limits; `limits` shortens the HTTP timeouts after checking the
 * defaults are in force (HTTP_LIMITS, with this target's longer keep-alive).
 */
const start = (limits?: Partial<HttpLimits>): Promise<{ server: JsonRpcServer; port: number }> =>
  startTestTarget(createJsonRpcServer({ faults: NO_FAULTS }), cleanup, limits, { keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS });

/** Idle sockets of the flood case: 2000 when `ulimit -n` leaves room for both ends in this process. */
const IDLE_SOCKETS = socketBudget(2000);

const MAX_BODY = JSONRPC_DEFAULTS.maxBodyBytes;
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bad-input', version: '1' } } };

const rpc = (body?: string | Buffer, headers: Record<string, string> = {}): Buffer => buildRequest({ method: 'POST', path: '/rpc', headers, ...(body === undefined ? {} : { body }) });

/** The JSON of an answer: a plain JSON body, or the first `data:` line of an MCP SSE answer. */
function answerJson(r: RawResponse): unknown {
  if ((r.headers['content-type'] ?? '').startsWith('text/event-stream')) {
    const line = r.text.split('\n').find((l) => l.startsWith('data: '));
    return line === undefined ? undefined : JSON.parse(line.slice(6));
  }
  return r.text === '' ? undefined : JSON.parse(r.text);
}

/** Opens an MCP session over raw HTTP; resolves with the headers its later requests need. */
async function mcpSession(port: number): Promise<Record<string, string>> {
  const init = await rawRequest({ port, data: buildRequest({ method: 'POST', path: '/mcp', headers: MCP_HEADERS, body: JSON.stringify(INIT) }) });
  const sid = init.headers['mcp-session-id'];
  if (init.status !== 200 || sid === undefined) throw new Error(`initialize answered ${init.status} ${init.text}`);
  const headers = { ...MCP_HEADERS, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' };
  const ack = await rawRequest({ port, data: buildRequest({ method: 'POST', path: '/mcp', headers, body: '{"jsonrpc":"2.0","method":"notifications/initialized"}' }) });
  if (ack.status !== 202) throw new Error(`initialized answered ${ack.status}`);
  return headers;
}

/**
 * The well-behaved client, in turn: `/rpc` echo of a unique payload over fetch (keep-alive),
 * `/rpc` compute on a fresh connection (exact digest), MCP `tools/call` echo in `session`.
 */
async function probe(port: number, session: Record<string, string>, i: number, signal: AbortSignal): Promise<void> {
  const kind = i % 3;
  if (kind === 0) {
    const payload = { i, text: `probe-${i}-${'é'.repeat(i % 20)}` };
    const res = await fetch(`http://127.0.0.1:${port}/rpc`, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', method: 'echo', params: payload, id: i }), signal });
    const json = (await res.json()) as unknown;
    if (res.status !== 200 || JSON.stringify(json) !== JSON.stringify({ jsonrpc: '2.0', result: payload, id: i })) throw new Error(`echo answered ${res.status} ${JSON.stringify(json)}`);
  } else if (kind === 1) {
    const n = 1000 + i;
    const r = await rawRequest({ port, data: rpc(JSON.stringify({ jsonrpc: '2.0', method: 'compute', params: [n], id: `c${i}` })), timeoutMs: 3000 });
    const json = answerJson(r);
    if (r.status !== 200 || JSON.stringify(json) !== JSON.stringify({ jsonrpc: '2.0', result: { iterations: n, digest: computeDigest(n) }, id: `c${i}` })) {
      throw new Error(`compute answered ${r.status} ${r.text}`);
    }
  } else {
    const message = `mcp-probe-${i}`;
    const body = JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'echo', arguments: { message } } });
    const r = await rawRequest({ port, data: buildRequest({ method: 'POST', path: '/mcp', headers: session, body }), timeoutMs: 3000 });
    const json = answerJson(r) as { id?: number; result?: { structuredContent?: { message?: string } } } | undefined;
    if (r.status !== 200 || json?.id !== i || json.result?.structuredContent?.message !== message) throw new Error(`MCP echo answered ${r.status} ${r.text.slice(0, 200)}`);
  }
}

/** One bad input and its documented answer. */
interface Case {
  name: string;
  data: Buffer;
  status: number;
  /** JSON-RPC error code expected, `'batch'` for an array of -32600, `'isError'` for an MCP tool error result, or none (HTTP-level answer). */
  code?: number | 'batch' | 'isError';
  /** Expected `id` of the error response (null when it could not be read). */
  id?: string | number | null;
}

interface CaseResult {
  name: string;
  status: number | undefined;
  json: unknown;
  closed: boolean;
}

/** Sends every case `rounds` times over `lanes` connections at a time. */
async function sendAll(port: number, cases: Case[], rounds: number, lanes = 4): Promise<CaseResult[]> {
  const answers = await sendCases(port, cases, rounds, { lanes, timeoutMs: 5000 });
  return answers.map(({ case: c, response: r, closed }) => {
    let json: unknown;
    try {
      json = answerJson(r);
    } catch {
      json = r.text;
    }
    return { name: c.name, status: r.status, json, closed };
  });
}

function expectAnswers(cases: Case[], results: CaseResult[]): void {
  const byName = new Map(cases.map((c) => [c.name, c]));
  expect(byName.size, 'case names are unique').toBe(cases.length);
  for (const r of results) {
    const c = byName.get(r.name)!;
    expect(r.status, c.name).toBe(c.status);
    if (c.code === 'batch') {
      expect(Array.isArray(r.json), c.name).toBe(true);
      for (const e of r.json as unknown[]) expect(e, c.name).toMatchObject({ jsonrpc: '2.0', error: { code: -32600 }, id: null });
    } else if (c.code === 'isError') {
      expect(r.json, c.name).toMatchObject({ jsonrpc: '2.0', result: { isError: true } });
    } else if (c.code !== undefined) {
      expect(r.json, c.name).toMatchObject({ jsonrpc: '2.0', error: { code: c.code } });
      if (c.id !== undefined) expect((r.json as { id: unknown }).id, c.name).toBe(c.id);
    }
  }
}

function expectServed(report: ServingReport<unknown>, minDuring: number): void {
  expect(report.failures).toEqual([]);
  expect(report.ok).toBe(report.probes);
  expect(report.duringAttack).toBeGreaterThanOrEqual(minDuring);
}

const call = (method: string, params: unknown, id: number | string = 1): string => JSON.stringify({ jsonrpc: '2.0', method, params, id });
const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);
const badUtf8 = (bytes: number[]): Buffer => Buffer.concat([Buffer.from('{"jsonrpc":"2.0","method":"echo","params":["'), Buffer.from(bytes), Buffer.from('"],"id":1}')]);

describe('JSON-RPC /rpc bad input', () => {
  it('answers malformed JSON -32700, wrong types -32600, unknown methods -32601 and bad params -32602, keeps serving', async () => {
    const { server, port } = await start();
    const session = await mcpSession(port);
    const c = (name: string, body: string | Buffer, code: Case['code'], id?: Case['id']): Case => ({ name, data: rpc(body), status: 200, code, ...(id === undefined ? {} : { id }) });
    const cases: Case[] = [
      // -32700: not JSON, also not UTF-8
      c('truncated object', '{"jsonrpc":"2.0","method":"echo"', -32700, null),
      c('lone brace', '{', -32700, null),
      c('truncated array', '[1,2', -32700, null),
      c('empty body', '', -32700, null),
      c('bare word', 'nul', -32700, null),
      c('trailing garbage', '{"jsonrpc":"2.0","method":"echo","id":1}x', -32700, null),
      c('single quotes', "{'jsonrpc':'2.0'}", -32700, null),
      c('NaN literal', '{"jsonrpc":"2.0","method":"echo","params":[NaN],"id":1}', -32700, null),
      c('trailing comma', '{"jsonrpc":"2.0","method":"echo","params":[1,],"id":1}', -32700, null),
      c('byte order mark', '\ufeff{"jsonrpc":"2.0","method":"echo","id":1}', -32700, null),
      c('invalid UTF-8 0xFF 0xFE', badUtf8([0xff, 0xfe]), -32700, null),
      c('overlong UTF-8 0xC0 0xAF', badUtf8([0xc0, 0xaf]), -32700, null),
      c('UTF-16 surrogate in UTF-8', badUtf8([0xed, 0xa0, 0x80]), -32700, null),
      c('truncated UTF-8 sequence', badUtf8([0xe2, 0x82]), -32700, null),
      // -32600: JSON, but no Request
      c('number', '1', -32600, null),
      c('string', '"x"', -32600, null),
      c('null', 'null', -32600, null),
      c('boolean', 'true', -32600, null),
      c('empty batch', '[]', -32600, null),
      c('jsonrpc 1.0', '{"jsonrpc":"1.0","method":"echo","id":7}', -32600, 7),
      c('method is a number', '{"jsonrpc":"2.0","method":1,"id":8}', -32600, 8),
      c('params is a string', '{"jsonrpc":"2.0","method":"echo","params":"x","id":9}', -32600, 9),
      c('id is an object', '{"jsonrpc":"2.0","method":"echo","id":{}}', -32600, null),
      c('id nested 1000 deep', `{"jsonrpc":"2.0","method":"echo","id":${deep(1000)}}`, -32600, null),
      c('batch of numbers', '[1,2,3]', 'batch'),
      c('array nested 100000 deep', deep(100_000), 'batch'),
      c('object nested 100000 deep', `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`, -32600, null),
      c('batch over the limit (101)', JSON.stringify(Array.from({ length: 101 }, (_, k) => ({ jsonrpc: '2.0', method: 'echo', id: k }))), -32600, null),
      // -32601
      c('unknown method', call('nope', []), -32601, 1),
      c('method __proto__', call('__proto__', []), -32601, 1),
      c('method constructor', call('constructor', []), -32601, 1),
      // -32602: compute, sleep, tools/list, tools/call
      ...[[-1], [1.5], ['5'], [JSONRPC_DEFAULTS.maxIterations + 1], [1e300], { iterations: null }, [], [1, 2], {}, [true]].map((p, k) => c(`compute ${JSON.stringify(p)}`, call('compute', p, `k${k}`), -32602, `k${k}`)),
      c('compute nested 100000 deep', `{"jsonrpc":"2.0","method":"compute","params":${deep(100_000)},"id":2}`, -32602, 2),
      c('compute with a 512 KiB string', call('compute', ['x'.repeat(512 * 1024)]), -32602, 1),
      ...[[-1], [JSONRPC_DEFAULTS.maxSleepMs + 1], ['x'], { ms: null }, [null]].map((p, k) => c(`sleep ${JSON.stringify(p)}`, call('sleep', p, `s${k}`), -32602, `s${k}`)),
      c('sleep Infinity (1e309)', '{"jsonrpc":"2.0","method":"sleep","params":[1e309],"id":3}', -32602, 3),
      c('tools/list positional', call('tools/list', [1]), -32602, 1),
      c('tools/call unknown tool', call('tools/call', { name: 'nope', arguments: {} }), -32602, 1),
      c('tools/call no name', call('tools/call', {}), -32602, 1),
      c('tools/call name is a number', call('tools/call', { name: 5 }), -32602, 1),
      c('tools/call arguments is an array', call('tools/call', { name: 'echo', arguments: [1] }), -32602, 1),
      c('tools/call echo message is a number', call('tools/call', { name: 'echo', arguments: { message: 5 } }), -32602, 1),
      c('tools/call compute -1', call('tools/call', { name: 'compute', arguments: { iterations: -1 } }), -32602, 1),
      c('tools/call sleep too long', call('tools/call', { name: 'sleep', arguments: { ms: JSONRPC_DEFAULTS.maxSleepMs + 1 } }), -32602, 1),
      c('tools/call sleep 1000 steps', call('tools/call', { name: 'sleep', arguments: { ms: 1, steps: 1000 } }), -32602, 1),
      // -32603: a result that cannot be serialised (documented)
      c('echo of params nested 100000 deep', `{"jsonrpc":"2.0","method":"echo","params":${deep(100_000)},"id":4}`, -32603, 4),
    ];
    const rounds = 5;
    const report = await whileServing(() => sendAll(port, cases, rounds), (i, signal) => probe(port, session, i, signal), { concurrency: 2 });
    expect(report.attack).toHaveLength(cases.length * rounds);
    expectAnswers(cases, report.attack);
    expectServed(report, 10);
    const count = (code: number): number => cases.filter((k) => k.code === code).length * rounds;
    expect(server.stats().rpc.errors).toMatchObject({ parse: count(-32700), methodNotFound: count(-32601), invalidParams: count(-32602), internal: count(-32603) });
    console.log(`JSON-RPC /rpc protocol: ${report.attack.length} bad requests (${cases.length} kinds x ${rounds}); well-behaved ${report.ok}/${report.probes} (${report.duringAttack} during)`);
  });

  it('answers oversized bodies 413 -32600, also a lying Content-Length and chunked bodies past the limit', async () => {
    const { server, port } = await start();
    const session = await mcpSession(port);
    const over = Buffer.alloc(MAX_BODY + 1, 0x20);
    const tooLarge = (name: string, data: Buffer): Case => ({ name, data, status: 413, code: -32600, id: null });
    const cases: Case[] = [
      tooLarge('body of limit + 1 bytes', rpc(over)),
      tooLarge('Content-Length 10^12, nothing sent', rpc(undefined, { 'Content-Length': '1000000000000' })),
      tooLarge('Content-Length 2 MiB, 1 KiB sent', Buffer.concat([rpc(undefined, { 'Content-Length': String(2 * MAX_BODY) }), Buffer.alloc(1024, 0x20)])),
      tooLarge('chunked, 2 MiB in 20 chunks', rpc(chunked(Array.from({ length: 20 }, () => Buffer.alloc(MAX_BODY / 10, 0x20))), { 'Transfer-Encoding': 'chunked' })),
      tooLarge('chunked, limit + 1 then no end', rpc(chunked([over], false), { 'Transfer-Encoding': 'chunked' })),
      // Declared shorter than sent: the bytes after the 5 are parsed as a next request, which is malformed.
      { name: 'Content-Length 5, 40 bytes sent', data: rpc('{"jsonrpc":"2.0","method":"echo","id":1}', { 'Content-Length': '5' }), status: 400 },
      { name: 'chunked with a bad chunk size', data: rpc('zz\r\nabc\r\n0\r\n\r\n', { 'Transfer-Encoding': 'chunked' }), status: 400 },
      { name: 'Content-Length and chunked (smuggling)', data: rpc(chunked(['{}']), { 'Content-Length': '4', 'Transfer-Encoding': 'chunked' }), status: 400 },
      { name: 'header over 16 KiB', data: rpc('{}', { 'X-Big': 'a'.repeat(HTTP_LIMITS.maxHeaderBytes + 1000) }), status: 431 },
      { name: 'MCP body of limit + 1 bytes', data: buildRequest({ method: 'POST', path: '/mcp', headers: session, body: over }), status: 413, code: -32600, id: null },
      { name: 'MCP Content-Length 10^12', data: buildRequest({ method: 'POST', path: '/mcp', headers: { ...session, 'Content-Length': '1000000000000' } }), status: 413, code: -32600, id: null },
      { name: 'MCP chunked past the limit', data: buildRequest({ method: 'POST', path: '/mcp', headers: { ...session, 'Transfer-Encoding': 'chunked' }, body: chunked([over], false) }), status: 413, code: -32600, id: null },
    ];
    const rounds = 5;
    const report = await whileServing(() => sendAll(port, cases, rounds, 2), (i, signal) => probe(port, session, i, signal), { concurrency: 2 });
    expectAnswers(cases, report.attack);
    expectServed(report, 10);
    expect(server.stats().rpc.bodyTooLarge).toBe(5 * rounds);
    expect(server.stats().mcp.rejected.bodyTooLarge).toBe(3 * rounds);
    console.log(`JSON-RPC oversized: ${report.attack.length} bad requests (${cases.length} kinds x ${rounds}); well-behaved ${report.ok}/${report.probes} (${report.duringAttack} during)`);
  });

  it('answers a body shorter than its Content-Length, or trickled, with 408 at the request timeout', async () => {
    const limits = TEST_HTTP_LIMITS;
    const timeoutMs = limits.requestTimeoutMs + TIMING_SLACK_MS + 1000;
    const { server, port } = await start(limits);
    const session = await mcpSession(port);
    const report = await whileServing(
      () =>
        Promise.all([
          ...Array.from({ length: 10 }, () => rawRequest({ port, data: rpc('{"jsonrpc":"2.0"', { 'Content-Length': '100' }), timeoutMs })),
          ...Array.from({ length: 10 }, () =>
            rawRequest({ port, data: [rpc(undefined, { 'Content-Length': '100' }), ...Array.from({ length: 60 }, () => ' ')], partDelayMs: 50, timeoutMs, stopWritingOnResponse: true }),
          ),
          ...Array.from({ length: 5 }, () => rawRequest({ port, data: buildRequest({ method: 'POST', path: '/mcp', headers: { ...session, 'Content-Length': '100' }, body: '{"jsonrpc"' }), timeoutMs })),
        ]),
      (i, signal) => probe(port, session, i, signal),
      { concurrency: 2 },
    );
    for (const r of report.attack) {
      expect(r.status).toBe(408);
      expect(r.closedByServer || r.headers.connection === 'close').toBe(true);
      expect(r.elapsedMs).toBeGreaterThanOrEqual(limits.requestTimeoutMs - 50);
      expect(r.elapsedMs).toBeLessThan(limits.requestTimeoutMs + limits.checkIntervalMs + TIMING_SLACK_MS);
    }
    expectServed(report, 10);
    expect(server.stats().rpc.answered).toBeGreaterThan(0);
    console.log(`JSON-RPC short bodies: ${report.attack.length} requests answered 408 in <= ${Math.round(Math.max(...report.attack.map((r) => r.elapsedMs)))} ms; well-behaved ${report.ok}/${report.probes} (${report.duringAttack} during)`);
  });
});

describe('JSON-RPC /mcp bad input', () => {
  it('answers bad MCP messages with the documented JSON-RPC errors and keeps the session working', async () => {
    const { server, port } = await start();
    const session = await mcpSession(port);
    const probeSession = await mcpSession(port);
    const mcp = (name: string, body: string | Buffer, status: number, code: Case['code'], headers: Record<string, string> = session): Case => ({
      name,
      data: buildRequest({ method: 'POST', path: '/mcp', headers, body }),
      status,
      code,
    });
    const tool = (name: string, args: unknown, id = 1): string => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
    const cases: Case[] = [
      mcp('truncated JSON', '{"jsonrpc":"2.0","id":1,"method":"tools/list"', 400, -32700),
      mcp('not JSON', 'hello', 400, -32700),
      mcp('empty body', '', 400, -32700),
      mcp('invalid UTF-8', Buffer.concat([Buffer.from('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}}}')]), 400, -32700),
      mcp('number', '1', 400, -32600),
      mcp('null', 'null', 400, -32600),
      mcp('empty batch', '[]', 400, -32600),
      mcp('batch over the limit (101)', JSON.stringify(Array.from({ length: 101 }, (_, k) => ({ jsonrpc: '2.0', id: k, method: 'ping' }))), 400, -32600),
      mcp('method is a number', '{"jsonrpc":"2.0","id":1,"method":7}', 400, -32600),
      mcp('params is a string', '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":"x"}', 400, -32600),
      mcp('array nested 100000 deep', deep(100_000), 400, -32600),
      mcp('no session id', '{"jsonrpc":"2.0","id":1,"method":"tools/list"}', 400, -32000, MCP_HEADERS),
      mcp('unknown session id', '{"jsonrpc":"2.0","id":1,"method":"tools/list"}', 404, -32001, { ...MCP_HEADERS, 'mcp-session-id': 'nope' }),
      mcp('session id with 0xFF bytes', '{"jsonrpc":"2.0","id":1,"method":"tools/list"}', 404, -32001, { ...MCP_HEADERS, 'mcp-session-id': '\xff\xfe' }),
      mcp('unknown method', '{"jsonrpc":"2.0","id":1,"method":"nope"}', 200, -32601),
      mcp('tools/call without name', '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{}}', 200, -32602),
      mcp('tools/call name is a number', '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":5}}', 200, -32602),
      mcp('tools/call unknown tool', tool('nope', {}), 200, 'isError'),
      mcp('compute iterations "x"', tool('compute', { iterations: 'x' }), 200, 'isError'),
      mcp('compute iterations -1', tool('compute', { iterations: -1 }), 200, 'isError'),
      mcp('compute over the limit', tool('compute', { iterations: JSONRPC_DEFAULTS.maxIterations + 1 }), 200, 'isError'),
      mcp('sleep 1e9 ms', tool('sleep', { ms: 1e9 }), 200, 'isError'),
      mcp('sleep -1 ms', tool('sleep', { ms: -1 }), 200, 'isError'),
      mcp('sleep 1000 steps', tool('sleep', { ms: 1, steps: 1000 }), 200, 'isError'),
      mcp('echo message is an object', tool('echo', { message: {} }), 200, 'isError'),
      mcp('echo arguments nested 100000 deep', `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":${deep(100_000)}}}}`, 200, 'isError'),
    ];
    const rounds = 3;
    const report = await whileServing(() => sendAll(port, cases, rounds), (i, signal) => probe(port, probeSession, i, signal), { concurrency: 2 });
    expectAnswers(cases, report.attack);
    expectServed(report, 10);
    // The attacked session still works.
    const after = await rawRequest({ port, data: buildRequest({ method: 'POST', path: '/mcp', headers: session, body: tool('compute', { iterations: 77 }, 99) }) });
    expect(answerJson(after)).toMatchObject({ id: 99, result: { structuredContent: { iterations: 77, digest: computeDigest(77) } } });
    expect(server.stats().mcp.rejected).toMatchObject({ parse: 4 * rounds, invalidRequest: 7 * rounds, noSession: rounds, unknownSession: 2 * rounds });
    expect(server.stats().mcp.sessions.current).toBe(2);
    console.log(`MCP: ${report.attack.length} bad requests (${cases.length} kinds x ${rounds}); well-behaved ${report.ok}/${report.probes} (${report.duringAttack} during)`);
  });
});

describe('JSON-RPC slow and idle connections', () => {
  it('drops slowloris sockets by the headers timeout (408), keeps serving', async () => {
    const { server, port } = await start(TEST_HTTP_LIMITS); // the defaults (HTTP_LIMITS) are checked first, then shortened
    expect(server.server.headersTimeout).toBe(TEST_HTTP_LIMITS.headersTimeoutMs);
    const session = await mcpSession(port);
    const count = socketBudget(200);
    const report = await whileServing(
      () =>
        slowloris({
          port,
          count,
          byteIntervalMs: 100,
          durationMs: TEST_HTTP_LIMITS.headersTimeoutMs + TIMING_SLACK_MS + 1000,
          head: 'POST /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n',
        }),
      (i, signal) => probe(port, session, i, signal),
      { concurrency: 2, intervalMs: 50 },
    );
    const a = report.attack;
    expect(a).toMatchObject({ opened: count, failed: 0, droppedByServer: count, stillOpen: 0, statuses: { 408: count } });
    expect(a.maxLifetimeMs).toBeGreaterThanOrEqual(TEST_HTTP_LIMITS.headersTimeoutMs - 50);
    expect(a.maxLifetimeMs).toBeLessThan(TEST_HTTP_LIMITS.headersTimeoutMs + TEST_HTTP_LIMITS.checkIntervalMs + TIMING_SLACK_MS);
    expectServed(report, 5);
    console.log(`JSON-RPC slowloris: ${count} sockets, ${a.bytesSent} bytes trickled, all dropped with 408 after <= ${Math.round(a.maxLifetimeMs)} ms (headers timeout ${TEST_HTTP_LIMITS.headersTimeoutMs} ms in the test, ${HTTP_LIMITS.headersTimeoutMs} ms default); well-behaved ${report.ok}/${report.probes} (${report.duringAttack} during)`);
  }, 40_000);

  it(`keeps serving with ${IDLE_SOCKETS} idle sockets open, and frees them all when they close`, async () => {
    expect(IDLE_SOCKETS, `ulimit -n ${openFileLimit()} leaves room for ${IDLE_SOCKETS} idle sockets`).toBeGreaterThanOrEqual(MIN_SOCKET_BUDGET);
    const count = IDLE_SOCKETS;
    const { server, port } = await start();
    const session = await mcpSession(port);
    const report = await whileServing(
      async () => {
        const idle = cleanup.add(await openIdleSockets({ port, count }), (f) => f.close());
        await sleep(2000); // held well under the 10 s headers timeout
        const result = { opened: idle.opened, failed: idle.failed, droppedWhileHeld: idle.closedByServer(), serverSockets: await serverSockets(server) };
        await idle.close();
        return result;
      },
      (i, signal) => probe(port, session, i, signal),
      { concurrency: 2 },
    );
    expect(report.attack).toMatchObject({ opened: count, failed: 0, droppedWhileHeld: 0 });
    expect(report.attack.serverSockets).toBeGreaterThanOrEqual(count);
    expectServed(report, 20);
    let left = await serverSockets(server);
    for (let k = 0; k < 50 && left > 10; k++) {
      await sleep(50);
      left = await serverSockets(server);
    }
    expect(left).toBeLessThanOrEqual(10); // the probes' own keep-alive connections may remain
    console.log(`JSON-RPC idle flood: ${count} sockets held 2 s (server had ${report.attack.serverSockets} sockets, ulimit -n ${openFileLimit()}); well-behaved ${report.ok}/${report.probes} (${report.duringAttack} during)`);
  }, 40_000);

  it('keeps an idle keep-alive connection past the headers timeout (it is no slowloris)', async () => {
    const limits = { headersTimeoutMs: 300, requestTimeoutMs: 600, checkIntervalMs: 100 };
    const { port } = await start(limits);
    const s = cleanup.add(tcpConnect({ host: '127.0.0.1', port }), (x) => x.destroy());
    let received = '';
    s.on('data', (d: Buffer) => (received += d.toString('utf8')));
    await new Promise((r) => s.once('connect', r));
    const ask = async (id: number): Promise<void> => {
      received = '';
      s.write(rpc(call('echo', [id], id)));
      for (let k = 0; k < TIMING_SLACK_MS / 25 && !received.includes(`"id":${id}}`); k++) await sleep(25);
      expect(received).toContain(`{"jsonrpc":"2.0","result":[${id}],"id":${id}}`);
    };
    await ask(1);
    await sleep(3 * limits.requestTimeoutMs);
    expect(s.destroyed).toBe(false);
    await ask(2);
  });
});

/** Open TCP connections of the server, from Node's own count. */
function serverSockets(server: JsonRpcServer): Promise<number> {
  return new Promise((resolve, reject) => server.server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
}
