/**
 * `/mcp` driven by the official MCP TypeScript SDK client (Client + StreamableHTTPClientTransport),
 * plus raw HTTP for the limits and bad input a real client would never send.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError, type Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { NO_FAULTS, type FaultConfig } from '../common/faults.ts';
import { computeDigest } from './compute.ts';
import type { JsonRpcOptions } from './options.ts';
import { createJsonRpcServer, type JsonRpcServer } from './server.ts';

const servers: JsonRpcServer[] = [];
const clients: Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

type Overrides = Partial<Omit<JsonRpcOptions, 'faults'>> & { faults?: Partial<FaultConfig> };

async function start(overrides: Overrides = {}): Promise<{ server: JsonRpcServer; url: string }> {
  const server = createJsonRpcServer({ ...overrides, faults: { ...NO_FAULTS, ...overrides.faults } });
  servers.push(server);
  const { port } = await server.listen(0);
  return { server, url: `http://127.0.0.1:${port}` };
}

/** A connected SDK client and its transport. */
async function connect(url: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name: 'tidemark-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`));
  await client.connect(transport);
  clients.push(client);
  return { client, transport };
}

const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };

async function raw(url: string, init: RequestInit): Promise<{ status: number; json: Record<string, unknown> | undefined; headers: Headers }> {
  const res = await fetch(`${url}/mcp`, init);
  const text = await res.text();
  return { status: res.status, json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : undefined, headers: res.headers };
}

describe('MCP with the official SDK client', () => {
  it('initializes a session, lists the same tools as /rpc, calls them, and deletes the session', async () => {
    const { server, url } = await start();
    const { client, transport } = await connect(url);
    expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(client.getServerVersion()).toMatchObject({ name: 'tidemark-jsonrpc' });
    expect(server.stats().mcp.sessions).toEqual({ current: 1, peak: 1 });

    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['echo', 'compute', 'sleep']);
    const rpcList = (await (await fetch(`${url}/rpc`, { method: 'POST', body: '{"jsonrpc":"2.0","method":"tools/list","id":1}' })).json()) as {
      result: { tools: { name: string; inputSchema: unknown }[] };
    };
    expect(tools.map((t) => t.inputSchema)).toEqual(rpcList.result.tools.map((t) => t.inputSchema));

    const compute = await client.callTool({ name: 'compute', arguments: { iterations: 321 } });
    expect(compute.structuredContent).toEqual({ iterations: 321, digest: computeDigest(321) });
    expect(compute._meta).toEqual({ 'tidemark/cache': 'miss' });
    // The cache is shared with /rpc: the same call there is a hit.
    const viaRpc = (await (await fetch(`${url}/rpc`, { method: 'POST', body: '{"jsonrpc":"2.0","method":"tools/call","params":{"name":"compute","arguments":{"iterations":321}},"id":2}' })).json()) as {
      result: { _meta: unknown };
    };
    expect(viaRpc.result._meta).toEqual({ 'tidemark/cache': 'hit' });
    expect((await client.callTool({ name: 'echo', arguments: { message: 'hi' } })).structuredContent).toEqual({ message: 'hi' });

    const bad = await client.callTool({ name: 'compute', arguments: { iterations: -1 } });
    expect(bad.isError).toBe(true); // MCP reports tool input errors in the result

    const sid = transport.sessionId!;
    await transport.terminateSession();
    const s = server.stats().mcp;
    expect(s.sessions.current).toBe(0);
    expect(s).toMatchObject({ sessionsCreated: 1, sessionsDeleted: 1 });
    const gone = await raw(url, { method: 'POST', headers: { ...MCP_HEADERS, 'mcp-session-id': sid }, body: '{"jsonrpc":"2.0","id":9,"method":"tools/list"}' });
    expect(gone.status).toBe(404);
    expect(gone.json).toMatchObject({ error: { code: -32001 } });
  });

  it('streams progress notifications of a long sleep before its result', async () => {
    const { server, url } = await start();
    const { client } = await connect(url);
    const seen: Progress[] = [];
    const t0 = performance.now();
    const result = await client.callTool({ name: 'sleep', arguments: { ms: 80, steps: 4 } }, undefined, { onprogress: (p) => seen.push(p) });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(79);
    expect(result.structuredContent).toEqual({ sleptMs: 80 });
    expect(seen.map((p) => [p.progress, p.total])).toEqual([[1, 4], [2, 4], [3, 4], [4, 4]]);
    expect(server.stats().mcp.progressSent).toBe(4);
  });

  it('serves many sessions at once, each isolated', async () => {
    const { server, url } = await start();
    const many = await Promise.all(Array.from({ length: 20 }, () => connect(url)));
    const ids = new Set(many.map((m) => m.transport.sessionId));
    expect(ids.size).toBe(20);
    const results = await Promise.all(many.map((m, i) => m.client.callTool({ name: 'echo', arguments: { message: `s${i}` } })));
    expect(results.map((r) => (r.structuredContent as { message: string }).message)).toEqual(many.map((_, i) => `s${i}`));
    expect(server.stats().mcp.sessions.current).toBe(20);
    expect(server.stats().ops).toBeGreaterThanOrEqual(40); // 20 initialize + 20 calls
  });
});

describe('MCP limits and bad input', () => {
  it('answers 503 with a JSON-RPC error past the session limit, and serves again after a DELETE', async () => {
    const { server, url } = await start({ maxSessions: 2 });
    const first = await connect(url);
    await connect(url);
    const over = await raw(url, { method: 'POST', headers: MCP_HEADERS, body: JSON.stringify(INIT) });
    expect(over.status).toBe(503);
    expect(over.json).toMatchObject({ jsonrpc: '2.0', error: { code: -32000, message: expect.stringContaining('the limit is 2') }, id: 1 });
    expect(over.headers.get('retry-after')).toBe('1');
    await expect(connect(url)).rejects.toThrow();
    await first.transport.terminateSession();
    await connect(url);
    expect(server.stats().mcp.sessionsRejected).toBe(2);
  });

  it('closes idle sessions after the idle time', async () => {
    const { server, url } = await start({ sessionIdleMs: 150 });
    const { transport } = await connect(url);
    await transport.close(); // stops the client's GET stream: the session is idle now
    await new Promise((r) => setTimeout(r, 500));
    expect(server.stats().mcp).toMatchObject({ sessionsExpired: 1, sessions: { current: 0, peak: 1 } });
  });

  it('answers every kind of bad input with a JSON-RPC error, and keeps serving', async () => {
    const { server, url } = await start({ maxBodyBytes: 4096, maxBatch: 3 });
    const { transport } = await connect(url);
    const sid = transport.sessionId!;
    const withSession = { ...MCP_HEADERS, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' };
    const cases: [RequestInit, number, number][] = [
      [{ method: 'POST', headers: MCP_HEADERS, body: '{"jsonrpc":' }, 400, -32700],
      [{ method: 'POST', headers: withSession, body: 'not json' }, 400, -32700],
      [{ method: 'POST', headers: withSession, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'echo', params: { x: 'y'.repeat(5000) } }) }, 413, -32600],
      [{ method: 'POST', headers: withSession, body: '[]' }, 400, -32600],
      [{ method: 'POST', headers: withSession, body: JSON.stringify([1, 2, 3, 4].map((id) => ({ jsonrpc: '2.0', id, method: 'ping' }))) }, 400, -32600],
      [{ method: 'POST', headers: MCP_HEADERS, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' }, 400, -32000],
      [{ method: 'POST', headers: { ...MCP_HEADERS, 'mcp-session-id': 'nope' }, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' }, 404, -32001],
      [{ method: 'GET', headers: { accept: 'text/event-stream' } }, 400, -32000],
      [{ method: 'DELETE', headers: { 'mcp-session-id': 'nope' } }, 404, -32001],
      [{ method: 'PUT', headers: MCP_HEADERS, body: '{}' }, 405, -32000],
      // Rules the SDK enforces inside a session: still a JSON-RPC error, never a crash.
      [{ method: 'POST', headers: { ...withSession, accept: 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' }, 406, -32000],
      [{ method: 'POST', headers: withSession, body: '{"jsonrpc":"2.0","id":1,"method":7}' }, 400, -32600],
      [{ method: 'POST', headers: withSession, body: '[{"jsonrpc":"2.0","id":1,"method":"ping"}, 5]' }, 400, -32600],
      [{ method: 'POST', headers: { ...withSession, 'mcp-protocol-version': '1999-01-01' }, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' }, 400, -32000],
    ];
    for (const [init, status, code] of cases) {
      const r = await raw(url, init);
      const label = `${init.method} ${String(init.body).slice(0, 40)}`;
      expect(r.status, label).toBe(status);
      expect(r.json, label).toMatchObject({ jsonrpc: '2.0', error: { code } });
    }
    const ok = await raw(url, { method: 'POST', headers: withSession, body: '{"jsonrpc":"2.0","id":5,"method":"ping"}' });
    expect(ok.status).toBe(200);
    expect(server.stats().mcp.rejected).toMatchObject({ parse: 2, bodyTooLarge: 1, invalidRequest: 4, noSession: 2, unknownSession: 2, methodNotAllowed: 1 });
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });
});

describe('MCP faults', () => {
  it('error rate answers calls with a JSON-RPC error; initialize is never faulted', async () => {
    const { server, url } = await start({ faults: { errorRate: 1 } });
    const { client } = await connect(url);
    const err = await client.callTool({ name: 'echo', arguments: { message: 'x' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(McpError);
    expect((err as McpError).code).toBe(-32000);
    expect((err as McpError).message).toContain('injected fault');
    expect(server.stats().mcp.errorsInjected).toBe(1);
  });

  it('drop rate drops progress notifications, never answers', async () => {
    const { server, url } = await start({ faults: { dropRate: 1 } });
    const { client } = await connect(url);
    const seen: Progress[] = [];
    const r = await client.callTool({ name: 'sleep', arguments: { ms: 20, steps: 5 } }, undefined, { onprogress: (p) => seen.push(p) });
    expect(r.structuredContent).toEqual({ sleptMs: 20 });
    expect(seen).toEqual([]);
    expect(server.stats().mcp).toMatchObject({ progressDropped: 5, progressSent: 0 });
  });

  it('delay postpones answers; memory is held per session', async () => {
    const { url } = await start({ faults: { delayMs: 30 } });
    const { client } = await connect(url);
    const t0 = performance.now();
    await client.callTool({ name: 'echo', arguments: { message: 'x' } });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(30);

    const mem = await start({ faults: { memKb: 4096 } });
    const before = mem.server.stats().rssBytes;
    await Promise.all([1, 2, 3].map(() => connect(mem.url)));
    expect(mem.server.stats().rssBytes - before).toBeGreaterThan(10 * 1024 * 1024);
  });
});
