/**
 * The methods of `/rpc`: `echo`, `compute`, `sleep`, `tools/list`, `tools/call`.
 * Each validates its params and throws -32602 naming what is wrong; `compute` and
 * `sleep` take their argument by position (`[n]`) or by name (`{"iterations": n}`),
 * like the specification's `subtract` examples.
 */
import { z } from 'zod';
import { showValue } from '../common/show-value.ts';
import type { MethodTable, RpcMethod } from './dispatch.ts';
import { invalidParams } from './protocol.ts';
import type { ToolBox } from './tools.ts';

/** Bounds the methods check. */
export interface MethodLimits {
  maxSleepMs: number;
  maxIterations: number;
}

/** Reads the single argument of a method from `[value]` or `{ name: value }`. */
function oneArg(params: unknown, name: string, method: string): unknown {
  if (Array.isArray(params)) {
    if (params.length !== 1) throw invalidParams(`${method} takes one positional parameter [${name}], got ${params.length}`);
    return params[0];
  }
  if (typeof params === 'object' && params !== null && Object.hasOwn(params, name)) {
    return (params as Record<string, unknown>)[name];
  }
  throw invalidParams(`${method} needs "${name}": send {"${name}": …} or [${name}]`);
}

/** An integer in 0..max, else -32602 naming the parameter. */
function intInRange(value: unknown, name: string, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw invalidParams(`"${name}" must be an integer from 0 to ${max}, got ${showValue(value)}`);
  }
  return value;
}

/** A finite number in 0..max, else -32602 naming the parameter. */
function numberInRange(value: unknown, name: string, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
    throw invalidParams(`"${name}" must be a number from 0 to ${max}, got ${showValue(value)}`);
  }
  return value;
}

/** `tools/call` params: `{ "name": string, "arguments"?: object }` (MCP's shape). */
const callParams = z.object({ name: z.string(), arguments: z.record(z.string(), z.unknown()).optional() });

/** Builds the `/rpc` method table over a tool box (the cache is the box's, shared with MCP). */
export function createMethods(box: ToolBox, limits: MethodLimits): MethodTable {
  const sleep = box.byName.get('sleep')!;
  const methods: [string, RpcMethod][] = [
    // Returns params as sent (absent params: null), so positional and named params both round-trip.
    ['echo', (params) => params ?? null],
    [
      'compute',
      (params) => {
        const iterations = intInRange(oneArg(params, 'iterations', 'compute'), 'iterations', limits.maxIterations);
        return box.byName.get('compute')!.run({ iterations });
      },
    ],
    [
      'sleep',
      (params) => {
        const ms = numberInRange(oneArg(params, 'ms', 'sleep'), 'ms', limits.maxSleepMs);
        return sleep.run({ ms });
      },
    ],
    [
      'tools/list',
      (params) => {
        if (params !== undefined && (Array.isArray(params) ? params.length > 0 : false)) {
          throw invalidParams('tools/list takes no positional parameters (optionally {"cursor": …}, ignored: the list has one page)');
        }
        return box.listResult;
      },
    ],
    [
      'tools/call',
      (params) => {
        const parsed = callParams.safeParse(params);
        if (!parsed.success) throw invalidParams('tools/call needs {"name": string, "arguments"?: object}');
        const tool = box.byName.get(parsed.data.name);
        if (tool === undefined) {
          throw invalidParams(`unknown tool ${JSON.stringify(parsed.data.name)}; tools: ${[...box.byName.keys()].join(', ')}`);
        }
        const args = tool.schema.safeParse(parsed.data.arguments ?? {});
        if (!args.success) throw invalidParams(`arguments of ${tool.name}: ${z.prettifyError(args.error).replace(/\s*\n\s*/g, ' ')}`);
        return box.call(tool, args.data);
      },
    ],
  ];
  return new Map(methods);
}
