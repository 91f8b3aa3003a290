/**
 * The -32602 workaround of mcp-server.ts (SDK issue 2284) in isolation: only the SDK's zod parse
 * failures become Invalid params; any other synchronous throw of a handler stays what it is.
 * The end-to-end answer (`tools/call` without `name` → -32602) is in bad-input.test.ts.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { answerInvalidParams, createMcpServer, isZodError } from './mcp-server.ts';
import { ToolBox } from './tools.ts';

type Handler = (request: unknown, extra: unknown) => unknown;

/** The SDK's internal handler map of `server` (what the workaround wraps). */
const handlersOf = (server: McpServer): Map<string, Handler> => (server.server as unknown as { _requestHandlers: Map<string, Handler> })._requestHandlers;

/** A bare server with one extra request handler `test/throw`, then wrapped by the workaround. */
function wrapped(handler: Handler): Handler {
  const server = new McpServer({ name: 't', version: '1' }, { capabilities: { tools: {} } });
  handlersOf(server).set('test/throw', handler);
  answerInvalidParams(server);
  return handlersOf(server).get('test/throw')!;
}

/** Runs `fn` and returns what it threw (undefined when it did not throw). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('answerInvalidParams', () => {
  it('turns the SDK parse failure of tools/call without name into -32602 Invalid params', () => {
    const server = createMcpServer(new ToolBox({ maxSleepMs: 1000, maxIterations: 1000, cacheEntries: 0 }));
    const call = handlersOf(server).get('tools/call');
    expect(call).toBeDefined();
    const err = thrown(() => call!({ method: 'tools/call', params: {} }, {}));
    expect(err).toBeInstanceOf(McpError);
    expect((err as McpError).code).toBe(ErrorCode.InvalidParams);
    expect((err as McpError).message).toContain('Invalid params for tools/call: params.name');
  });

  it('turns a zod error (v4, or anything with an issues array) into -32602', () => {
    const zodErr = thrown(() => z.object({ n: z.number() }).parse({ n: 'x' }));
    expect(isZodError(zodErr)).toBe(true);
    const err = thrown(() => wrapped(() => { throw zodErr; })({}, {}));
    expect(err).toBeInstanceOf(McpError);
    expect((err as McpError).code).toBe(ErrorCode.InvalidParams);
    expect((err as McpError).message).toContain('n: ');
    expect(isZodError({ issues: [] })).toBe(true);
  });

  it('rethrows any other synchronous throw unchanged (a handler bug is not "Invalid params")', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'x')");
    expect(isZodError(bug)).toBe(false);
    expect(thrown(() => wrapped(() => { throw bug; })({}, {}))).toBe(bug);
    const string = 'thrown string';
    expect(thrown(() => wrapped(() => { throw string; })({}, {}))).toBe(string);
    const mcp = new McpError(ErrorCode.InternalError, 'own');
    expect(thrown(() => wrapped(() => { throw mcp; })({}, {}))).toBe(mcp);
  });

  it('passes results and rejected promises through untouched', async () => {
    expect(wrapped(() => 42)({}, {})).toBe(42);
    const boom = new Error('async');
    await expect(wrapped(() => Promise.reject(boom))({}, {})).rejects.toBe(boom);
  });
});
