/** JSON-RPC 2.0 vocabulary (https://www.jsonrpc.org/specification): ids, error codes, response objects. */

/** A request id: String, Number or Null (spec section 4). */
export type RpcId = string | number | null;

/** The error codes the specification reserves (section 5.1), plus the server-defined ones this target uses. */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** Server error range (-32000..-32099): an answer the `TIDEMARK_FAULT_ERROR_RATE` knob injected. */
  InjectedFault: -32000,
} as const;

/** The error object of a response (section 5.1). */
export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export type RpcResponse =
  | { jsonrpc: '2.0'; result: unknown; id: RpcId }
  | { jsonrpc: '2.0'; error: RpcErrorObject; id: RpcId };

/**
 * Thrown by a method to answer with a specific JSON-RPC error. Anything else a
 * method throws becomes -32603 Internal error (its message is not leaked as the code's meaning).
 */
export class RpcError extends Error {
  override name = 'RpcError';
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** `-32602 Invalid params` with a message naming the parameter and what is expected. */
export function invalidParams(message: string): RpcError {
  return new RpcError(ErrorCode.InvalidParams, `Invalid params: ${message}`);
}

/** A success response object. */
export function resultResponse(id: RpcId, result: unknown): RpcResponse {
  return { jsonrpc: '2.0', result, id };
}

/** An error response object; `data` is left out when undefined (the member is optional). */
export function errorResponse(id: RpcId, code: number, message: string, data?: unknown): RpcResponse {
  const error: RpcErrorObject = data === undefined ? { code, message } : { code, message, data };
  return { jsonrpc: '2.0', error, id };
}

/** True for the id types the specification allows (fractional numbers SHOULD NOT be used, but are allowed). */
export function isValidId(id: unknown): id is RpcId {
  return id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
}
