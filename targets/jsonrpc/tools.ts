/**
 * The tools both APIs offer (`/rpc` `tools/list` + `tools/call`, and MCP on `/mcp`):
 * `echo`, `compute` and `sleep`, with their input schemas, and the result cache.
 *
 * The schemas are zod objects built once per server: the MCP SDK takes them as they are
 * (it validates and lists them itself), `/rpc` validates with the same objects and lists
 * their JSON Schema, so both APIs accept and describe exactly the same arguments.
 */
import { toJsonSchemaCompat } from '@modelcontextprotocol/sdk/server/zod-json-schema-compat.js';
import { z } from 'zod';
import { ResultCache, type CacheStats } from './cache.ts';
import { computeDigest } from './compute.ts';

/** Bounds of the tools' arguments. */
export interface ToolLimits {
  /** Longest sleep, ms. */
  maxSleepMs: number;
  /** Most compute iterations. */
  maxIterations: number;
  /** Result cache entries (0 disables it). */
  cacheEntries: number;
}

/** A tool result as MCP defines `CallToolResult` (the parts used here). */
export interface ToolResult {
  content: { type: 'text'; text: string }[];
  structuredContent: Record<string, unknown>;
  /** `{"tidemark/cache": "hit" | "miss"}` on cacheable tools, so clients can measure the hit ratio. */
  _meta?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Reports progress `done` of `total` (MCP `notifications/progress`). */
export type ProgressFn = (done: number, total: number) => void;

/** One tool with its types erased: `args` must already be valid for `schema`. */
export interface Tool {
  name: string;
  description: string;
  /** zod shape for the MCP SDK's `registerTool`. */
  shape: z.ZodRawShape;
  /** The same shape as an object schema, for validating `/rpc` arguments. */
  schema: z.ZodObject;
  /** JSON Schema of the arguments, as `/rpc` `tools/list` shows it. */
  inputSchema: Record<string, unknown>;
  /** Cache key of a call, or undefined when the result must not be cached. */
  cacheKey(args: Record<string, unknown>): string | undefined;
  /** Runs the tool; returns the structured result or a promise of it. */
  run(args: Record<string, unknown>, progress?: ProgressFn): Record<string, unknown> | Promise<Record<string, unknown>>;
}

/** Defines a tool with typed arguments and erases the types for the tables. */
function defineTool<S extends z.ZodRawShape>(def: {
  name: string;
  description: string;
  shape: S;
  cacheKey?: (args: z.infer<z.ZodObject<S>>) => string | undefined;
  run: (args: z.infer<z.ZodObject<S>>, progress?: ProgressFn) => Record<string, unknown> | Promise<Record<string, unknown>>;
}): Tool {
  const schema = z.object(def.shape);
  // The SDK's own conversion with the options its tools/list uses: both APIs list identical schemas.
  const inputSchema = toJsonSchemaCompat(schema, { strictUnions: true, pipeStrategy: 'input' });
  return {
    name: def.name,
    description: def.description,
    shape: def.shape,
    schema: schema as unknown as z.ZodObject,
    inputSchema,
    cacheKey: (args) => def.cacheKey?.(args as z.infer<z.ZodObject<S>>),
    run: (args, progress) => def.run(args as z.infer<z.ZodObject<S>>, progress),
  };
}

/** Resolves after `ms` (fractions allowed). Unref'd: a pending sleep never keeps a stopping process alive. */
function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Longest echo message that is cached; longer ones are answered but not stored (bounds the cache's memory). */
const MAX_CACHED_ECHO = 1024;

/** Progress steps of `sleep` when the caller asked for progress but gave no `steps`. */
export const DEFAULT_SLEEP_STEPS = 5;

/** The three tools, bounded by `limits`. */
export function defineTools(limits: ToolLimits): Tool[] {
  return [
    defineTool({
      name: 'echo',
      description: 'Returns the message it was given. Cached.',
      shape: { message: z.string().describe('any text; returned unchanged') },
      cacheKey: (a) => (a.message.length <= MAX_CACHED_ECHO ? `echo:${a.message}` : undefined),
      run: (a) => ({ message: a.message }),
    }),
    defineTool({
      name: 'compute',
      description: 'CPU work: runs `iterations` rounds of xorshift32 (about 1 ns each) and returns the digest. Deterministic, cached.',
      shape: { iterations: z.number().int().min(0).max(limits.maxIterations).describe('rounds of work') },
      cacheKey: (a) => `compute:${a.iterations}`,
      run: (a) => ({ iterations: a.iterations, digest: computeDigest(a.iterations) }),
    }),
    defineTool({
      name: 'sleep',
      description: 'Waits `ms` milliseconds, then answers. With an MCP progressToken it reports `steps` progress notifications on the way. Not cached.',
      shape: {
        ms: z.number().min(0).max(limits.maxSleepMs).describe('milliseconds to wait'),
        steps: z.number().int().min(1).max(100).optional().describe(`progress notifications when a progressToken is given (default ${DEFAULT_SLEEP_STEPS})`),
      },
      run: async (a, progress) => {
        if (progress === undefined) {
          await sleepMs(a.ms);
        } else {
          const steps = a.steps ?? DEFAULT_SLEEP_STEPS;
          for (let i = 1; i <= steps; i++) {
            await sleepMs(a.ms / steps);
            progress(i, steps);
          }
        }
        return { sleptMs: a.ms };
      },
    }),
  ];
}

const CACHE_META_KEY = 'tidemark/cache';

/** The tools of one server plus the result cache they share (across `/rpc` and every MCP session). */
export class ToolBox {
  readonly tools: readonly Tool[];
  readonly byName: ReadonlyMap<string, Tool>;
  /** `tools/list` result of `/rpc`: same names, descriptions and schemas as MCP's. */
  readonly listResult: { tools: { name: string; description: string; inputSchema: Record<string, unknown> }[] };
  /** Cached results, stored with `_meta` "hit" so a hit allocates nothing. */
  private readonly cache: ResultCache<ToolResult>;

  constructor(limits: ToolLimits) {
    this.tools = defineTools(limits);
    this.byName = new Map(this.tools.map((t) => [t.name, t]));
    this.listResult = { tools: this.tools.map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema })) };
    this.cache = new ResultCache(limits.cacheEntries);
  }

  /**
   * Calls a tool with arguments already validated against its schema.
   * @param progress called on progress when the caller asked for it (MCP progressToken); default none
   */
  call(tool: Tool, args: Record<string, unknown>, progress?: ProgressFn): ToolResult | Promise<ToolResult> {
    const key = tool.cacheKey(args);
    if (key === undefined) {
      const out = tool.run(args, progress);
      return out instanceof Promise ? out.then((v) => toResult(v)) : toResult(out);
    }
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const out = tool.run(args, progress);
    const store = (value: Record<string, unknown>): ToolResult => {
      this.cache.set(key, toResult(value, 'hit'));
      return toResult(value, 'miss');
    };
    return out instanceof Promise ? out.then(store) : store(out);
  }

  cacheStats(): CacheStats {
    return this.cache.stats();
  }
}

/** Wraps a structured value as an MCP tool result (text content plus structuredContent). */
function toResult(value: Record<string, unknown>, cache?: 'hit' | 'miss'): ToolResult {
  const result: ToolResult = { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value };
  if (cache !== undefined) result._meta = { [CACHE_META_KEY]: cache };
  return result;
}
