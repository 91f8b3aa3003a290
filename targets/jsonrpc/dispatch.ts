/**
 * JSON-RPC 2.0 dispatch as a pure function: request text in, response text out
 * (https://www.jsonrpc.org/specification, sections 4 to 6).
 *
 * No I/O, no clock, no globals: everything it touches comes from its arguments,
 * so it can be fuzzed and tested without a server. With synchronous methods the
 * reply is synchronous too (no promise on the fast path); a method returning a
 * promise makes the reply a promise.
 */
import { ErrorCode, RpcError, errorResponse, isValidId, resultResponse, type RpcId, type RpcResponse } from './protocol.ts';

/** What a method learns about the call besides its params. */
export interface CallContext {
  /** True when the call has no `id`: its result is thrown away (spec 4.1). */
  notification: boolean;
}

/**
 * One method: gets `params` as sent (an array, an object, or undefined when omitted) and
 * returns the result or a promise of it. Throw {@link RpcError} for a specific error code.
 */
export type RpcMethod = (params: unknown, ctx: CallContext) => unknown;

/** Methods by name. A Map, not an object: a method named `__proto__` or `constructor` must not resolve. */
export type MethodTable = ReadonlyMap<string, RpcMethod>;

/** The outcome of one HTTP body. */
export interface RpcReply {
  /** Response JSON, or null when there is nothing to send (notifications only, spec 6). */
  body: string | null;
  /** Response objects in `body`: the calls answered. */
  answered: number;
  /** Calls without an id (no response, errors included, spec 4.1). */
  notifications: number;
  /** Error codes of the error responses in `body`, in order (empty when none). */
  errorCodes: readonly number[];
  /** True when the request was a batch array. */
  batch: boolean;
}

/** Limits the dispatcher enforces. */
export interface DispatchLimits {
  /** Most elements in a batch array; a longer one is answered with one -32600. */
  maxBatch: number;
}

const NO_CODES: readonly number[] = Object.freeze([]);

/** Outcome of one element: a response, a promise of one, or undefined for a notification. */
type Slot = RpcResponse | Promise<RpcResponse | undefined> | undefined;

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function';
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The error response for something a method threw: RpcError keeps its code, anything else is -32603. */
export function errorFromThrown(id: RpcId, err: unknown): RpcResponse {
  if (err instanceof RpcError) return errorResponse(id, err.code, err.message, err.data);
  const detail = err instanceof Error ? err.message : String(err);
  return errorResponse(id, ErrorCode.InternalError, 'Internal error', detail);
}

/** Why a value is not a valid Request object (spec 4), or undefined when it is one. */
export function requestProblem(req: Record<string, unknown>): string | undefined {
  if (req.jsonrpc !== '2.0') return 'member "jsonrpc" must be exactly "2.0"';
  if (typeof req.method !== 'string') return 'member "method" must be a string';
  if (Object.hasOwn(req, 'params') && (typeof req.params !== 'object' || req.params === null)) {
    return 'member "params" must be an array or an object when present';
  }
  if (Object.hasOwn(req, 'id') && !isValidId(req.id)) return 'member "id" must be a string, a number or null when present';
  return undefined;
}

/** Handles one element (a whole single request, or one element of a batch). */
function callOne(value: unknown, methods: MethodTable): Slot {
  if (!isPlainObject(value)) {
    return errorResponse(null, ErrorCode.InvalidRequest, 'Invalid Request', 'expected a Request object');
  }
  const hasId = Object.hasOwn(value, 'id');
  // The id is echoed only when it could be read (spec 5: "If there was an error in detecting the id ... it MUST be Null").
  const id: RpcId = hasId && isValidId(value.id) ? value.id : null;
  const problem = requestProblem(value);
  // An invalid Request is answered even without an id: it is not a valid notification (spec example "invalid Request object").
  if (problem !== undefined) return errorResponse(id, ErrorCode.InvalidRequest, 'Invalid Request', problem);
  const notification = !hasId;
  const method = methods.get(value.method as string);
  if (method === undefined) {
    return notification ? undefined : errorResponse(id, ErrorCode.MethodNotFound, 'Method not found');
  }
  let out: unknown;
  try {
    out = method(value.params, { notification });
  } catch (err) {
    return notification ? undefined : errorFromThrown(id, err);
  }
  if (isThenable(out)) {
    return Promise.resolve(out).then(
      (result) => (notification ? undefined : resultResponse(id, result ?? null)),
      (err: unknown) => (notification ? undefined : errorFromThrown(id, err)),
    );
  }
  return notification ? undefined : resultResponse(id, out ?? null);
}

/**
 * JSON text of one response; a result that cannot be serialised (cycle, BigInt, too deep) becomes -32603,
 * added to `reply.errorCodes` so that `/stats` counts the error actually sent (it used to count none).
 */
function serialize(res: RpcResponse, reply: RpcReply): string {
  try {
    return JSON.stringify(res);
  } catch (err) {
    reply.errorCodes = [...reply.errorCodes, ErrorCode.InternalError];
    return JSON.stringify(errorResponse(res.id, ErrorCode.InternalError, 'Internal error', `the result cannot be serialised as JSON: ${(err as Error).message}`));
  }
}

function errorCodesOf(responses: RpcResponse[]): readonly number[] {
  let codes: number[] | undefined;
  for (const r of responses) {
    if ('error' in r) (codes ??= []).push(r.error.code);
  }
  return codes ?? NO_CODES;
}

function singleReply(res: RpcResponse | undefined, notifications: number): RpcReply {
  if (res === undefined) return { body: null, answered: 0, notifications, errorCodes: NO_CODES, batch: false };
  const reply: RpcReply = { body: null, answered: 1, notifications, errorCodes: 'error' in res ? [res.error.code] : NO_CODES, batch: false };
  reply.body = serialize(res, reply);
  return reply;
}

function batchReply(slots: (RpcResponse | undefined)[]): RpcReply {
  const responses = slots.filter((s): s is RpcResponse => s !== undefined);
  const notifications = slots.length - responses.length;
  // A batch of notifications only gets nothing back at all, not an empty array (spec 6).
  const reply: RpcReply = { body: null, answered: responses.length, notifications, errorCodes: errorCodesOf(responses), batch: true };
  if (responses.length > 0) reply.body = `[${responses.map((r) => serialize(r, reply)).join(',')}]`;
  return reply;
}

/**
 * Dispatches one request body.
 * @param text the HTTP body, as UTF-8 text
 * @param methods the callable methods
 * @param limits batch bound
 * @returns the reply, synchronously unless a called method returned a promise
 */
export function dispatch(text: string, methods: MethodTable, limits: DispatchLimits): RpcReply | Promise<RpcReply> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return singleReply(errorResponse(null, ErrorCode.ParseError, 'Parse error', (err as Error).message), 0);
  }
  if (!Array.isArray(parsed)) {
    const slot = callOne(parsed, methods);
    if (slot instanceof Promise) return slot.then((res) => singleReply(res, res === undefined ? 1 : 0));
    const isNotification = slot === undefined;
    return singleReply(slot, isNotification ? 1 : 0);
  }
  if (parsed.length === 0) {
    return singleReply(errorResponse(null, ErrorCode.InvalidRequest, 'Invalid Request', 'an empty batch array'), 0);
  }
  if (parsed.length > limits.maxBatch) {
    const why = `a batch of ${parsed.length} calls exceeds the limit of ${limits.maxBatch}: split it`;
    return singleReply(errorResponse(null, ErrorCode.InvalidRequest, 'Invalid Request', why), 0);
  }
  const slots: Slot[] = new Array<Slot>(parsed.length);
  let pending = false;
  for (let i = 0; i < parsed.length; i++) {
    const slot = callOne(parsed[i], methods);
    if (slot instanceof Promise) pending = true;
    slots[i] = slot;
  }
  if (!pending) return batchReply(slots as (RpcResponse | undefined)[]);
  return Promise.all(slots).then(batchReply);
}
