/**
 * JSON-RPC cost workload: a fixed mix of `/rpc` methods and MCP tool calls, one call at a time on two
 * keep-alive connections (one for `/rpc`, one for the MCP session). Operation = one call answered.
 *
 * One cycle is 8 operations: `/rpc` echo, compute, a batch of two (echo + tools/call echo), tools/call compute
 * (a cache hit after its first time), tools/list; MCP tools/call echo and compute. Arguments come from small
 * seeded sets, so the result cache sees the same hits and misses in every run. `sleep` is left out: it waits
 * on a timer, and the probe's clock stands still.
 */
import type { CostDriver, DriveContext } from './driver.ts';
import { LoopbackHttpClient } from './loopback-http.ts';
import { seededInts } from './seeded.ts';

const OPS_PER_CYCLE = 8;
const MESSAGES = Array.from({ length: 16 }, (_, i) => `tidemark cost probe message ${i} `.repeat(1 + (i % 4)));
const PROTOCOL_VERSION = '2025-06-18';

/** An MCP session over Streamable HTTP: requests answered as a short SSE stream, read to its end. */
class McpSession {
  private sessionId = '';
  private nextId = 1;

  constructor(private readonly http: LoopbackHttpClient) {}

  private headers(): Record<string, string> {
    const h: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': PROTOCOL_VERSION };
    if (this.sessionId !== '') h['mcp-session-id'] = this.sessionId;
    return h;
  }

  async open(): Promise<void> {
    const init = { jsonrpc: '2.0', id: this.nextId++, method: 'initialize', params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'tidemark-cost', version: '1' } } };
    const reply = await this.http.request('POST', '/mcp', JSON.stringify(init), this.headers());
    const sid = reply.headers['mcp-session-id'];
    if (reply.status !== 200 || typeof sid !== 'string') throw new Error(`MCP initialize: status ${reply.status}: ${reply.text.slice(0, 200)}`);
    this.sessionId = sid;
    const initialized = await this.http.request('POST', '/mcp', JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), this.headers());
    if (initialized.status !== 202) throw new Error(`MCP notifications/initialized: status ${initialized.status}`);
  }

  async callTool(name: string, args: Record<string, unknown>): Promise<void> {
    const body = { jsonrpc: '2.0', id: this.nextId++, method: 'tools/call', params: { name, arguments: args } };
    const reply = await this.http.request('POST', '/mcp', JSON.stringify(body), this.headers());
    if (reply.status !== 200 || !reply.text.includes('"result"')) throw new Error(`MCP tools/call ${name}: status ${reply.status}: ${reply.text.slice(0, 200)}`);
  }

  async close(): Promise<void> {
    const reply = await this.http.request('DELETE', '/mcp', undefined, this.headers());
    if (reply.status !== 200) throw new Error(`MCP DELETE: status ${reply.status}`);
  }
}

/** Fails on a JSON-RPC error object: the workload only makes valid calls. */
function expectResult(reply: unknown, what: string): void {
  const replies = Array.isArray(reply) ? reply : [reply];
  for (const r of replies) {
    if (typeof r !== 'object' || r === null || !('result' in r)) throw new Error(`/rpc ${what}: expected a result, got ${JSON.stringify(r).slice(0, 200)}`);
  }
}

export const jsonrpcDriver: CostDriver = {
  target: 'jsonrpc',
  unit: 'JSON-RPC call answered',
  sizes: { small: 2000, large: 4000 },
  async drive(ctx: DriveContext, ops: number): Promise<void> {
    const int = seededInts();
    const rpc = new LoopbackHttpClient(ctx.port, ctx.idle);
    const mcpHttp = new LoopbackHttpClient(ctx.port, ctx.idle);
    const mcp = new McpSession(mcpHttp);
    let id = 0;
    const call = (method: string, params?: unknown): Record<string, unknown> => ({ jsonrpc: '2.0', id: ++id, method, ...(params === undefined ? {} : { params }) });
    try {
      await mcp.open(); // initialize is answered: 1 operation
      const cycles = Math.max(0, Math.ceil((ops - 1) / OPS_PER_CYCLE));
      for (let c = 0; c < cycles; c++) {
        const message = MESSAGES[int(0, MESSAGES.length - 1)] as string;
        const iterations = 100 * int(1, 32);
        expectResult(await rpc.postJson('/rpc', call('echo', { message, n: c % 1000 })), 'echo');
        expectResult(await rpc.postJson('/rpc', call('compute', [iterations])), 'compute');
        expectResult(await rpc.postJson('/rpc', [call('echo', [message]), call('tools/call', { name: 'echo', arguments: { message } })]), 'batch');
        expectResult(await rpc.postJson('/rpc', call('tools/call', { name: 'compute', arguments: { iterations } })), 'tools/call compute');
        expectResult(await rpc.postJson('/rpc', call('tools/list')), 'tools/list');
        await mcp.callTool('echo', { message });
        await mcp.callTool('compute', { iterations: iterations + 50 });
      }
      await mcp.close();
    } finally {
      await rpc.close();
      await mcpHttp.close();
    }
  },
};
