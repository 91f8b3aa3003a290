/** One MCP server (the official SDK's McpServer) per session, offering the tool box's tools. */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { ProgressFn, ToolBox } from './tools.ts';

/** Name and version the server reports in `initialize`. */
export const SERVER_INFO = { name: 'tidemark-jsonrpc', version: '1.0.0' } as const;

/**
 * One JSON Schema validator for every session. The SDK builds a new Ajv instance per server when
 * none is given, about 20 KB each; it only caches compiled schemas, so sharing it is safe.
 */
const SHARED_VALIDATOR = new AjvJsonSchemaValidator();

/**
 * Builds a server with `echo`, `compute` and `sleep`. The zod shapes and the result cache
 * belong to the tool box, so every session shares them: a session costs the SDK's own objects only.
 */
export function createMcpServer(box: ToolBox): McpServer {
  const server = new McpServer(SERVER_INFO, { capabilities: { tools: {} }, jsonSchemaValidator: SHARED_VALIDATOR });
  for (const tool of box.tools) {
    // The shared object schema, not the raw shape: from a shape the SDK would build a new zod object per
    // session, and zod compiles a validator per object (code and closures, about 10 KB a session).
    server.registerTool(tool.name, { description: tool.description, inputSchema: tool.schema }, (args, extra) => {
      const token = extra._meta?.progressToken;
      const progress: ProgressFn | undefined =
        token === undefined
          ? undefined
          : (done, total) => {
              // A client that went away makes this reject; the call's own answer reports that, not this.
              extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: done, total } }).catch(() => {});
            };
      return box.call(tool, args as Record<string, unknown>, progress);
    });
  }
  answerInvalidParams(server);
  return server;
}

type Handler = (request: unknown, extra: unknown) => unknown;

/** A zod validation failure (zod 3 or 4), as the SDK's schema parse throws it. */
interface ZodLikeError {
  name?: unknown;
  issues: { path?: PropertyKey[]; message?: string }[];
}

/** True when `err` is a zod validation error: named `ZodError`, or carrying an `issues` array. */
export function isZodError(err: unknown): err is ZodLikeError {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; issues?: unknown };
  return e.name === 'ZodError' || Array.isArray(e.issues);
}

/**
 * Works around modelcontextprotocol/typescript-sdk#2284 (still in 1.32.2): a request whose params
 * fail the SDK's own schema (e.g. `tools/call` without `name`) is answered -32603 Internal error,
 * where JSON-RPC says -32602 Invalid params. The SDK's handler parses the params synchronously with
 * zod and then returns a promise, so a synchronous zod error is exactly that parse failure: it
 * becomes -32602. Anything else thrown synchronously (a real bug in a handler) is rethrown as is,
 * so it stays -32603 Internal error and is not disguised as the client's fault.
 * The handler map is SDK-internal; if it moves, nothing is wrapped and jsonrpc/bad-input.test.ts
 * fails on the code. Exported for tests.
 */
export function answerInvalidParams(server: McpServer): void {
  const handlers = (server.server as unknown as { _requestHandlers?: unknown })._requestHandlers;
  if (!(handlers instanceof Map)) return;
  for (const [method, handler] of handlers as Map<string, Handler>) {
    handlers.set(method, (request: unknown, extra: unknown) => {
      try {
        return handler(request, extra);
      } catch (err) {
        if (err instanceof McpError || !isZodError(err)) throw err;
        const issues = Array.isArray(err.issues) ? err.issues : [];
        const detail = issues.length > 0 ? issues.map((i) => `${(i.path ?? []).map(String).join('.')}: ${i.message ?? '?'}`).join('; ') : String(err);
        throw new McpError(ErrorCode.InvalidParams, `Invalid params for ${method}: ${detail}`);
      }
    });
  }
}
