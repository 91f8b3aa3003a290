/** Monotonic counters of the JSON-RPC/MCP target, reported by `/stats`. */

/** Counters of `POST /rpc`. */
export interface RpcCounters {
  /** HTTP requests to /rpc (any method, any outcome). */
  httpRequests: number;
  /** Calls answered: response objects sent (a batch of n calls counts n). */
  answered: number;
  /** Calls without an id: run, never answered. */
  notifications: number;
  /** Batch arrays received. */
  batches: number;
  /** Error responses by kind (each is also in `answered`). */
  errors: { parse: number; invalidRequest: number; methodNotFound: number; invalidParams: number; internal: number; injected: number; other: number };
  /** Bodies refused with 413. */
  bodyTooLarge: number;
  /** Requests other than POST, refused with 405. */
  methodNotAllowed: number;
}

/** Counters of `/mcp`. */
export interface McpCounters {
  /** HTTP requests to /mcp (POST, GET, DELETE, other). */
  httpRequests: number;
  /** JSON-RPC responses the MCP server sent (initialize, tools/list, tools/call, ping ...). */
  answered: number;
  /** Sessions initialized, closed by DELETE, closed for idleness, refused at the limit. */
  sessionsCreated: number;
  sessionsDeleted: number;
  sessionsExpired: number;
  sessionsRejected: number;
  /** Progress notifications sent, and skipped by `TIDEMARK_FAULT_DROP_RATE`. */
  progressSent: number;
  progressDropped: number;
  /** Responses replaced by an injected error (`TIDEMARK_FAULT_ERROR_RATE`). */
  errorsInjected: number;
  /** Requests refused before reaching a session, by reason. */
  rejected: { parse: number; invalidRequest: number; bodyTooLarge: number; noSession: number; unknownSession: number; methodNotAllowed: number; internal: number };
}

export function newRpcCounters(): RpcCounters {
  return {
    httpRequests: 0,
    answered: 0,
    notifications: 0,
    batches: 0,
    errors: { parse: 0, invalidRequest: 0, methodNotFound: 0, invalidParams: 0, internal: 0, injected: 0, other: 0 },
    bodyTooLarge: 0,
    methodNotAllowed: 0,
  };
}

export function newMcpCounters(): McpCounters {
  return {
    httpRequests: 0,
    answered: 0,
    sessionsCreated: 0,
    sessionsDeleted: 0,
    sessionsExpired: 0,
    sessionsRejected: 0,
    progressSent: 0,
    progressDropped: 0,
    errorsInjected: 0,
    rejected: { parse: 0, invalidRequest: 0, bodyTooLarge: 0, noSession: 0, unknownSession: 0, methodNotAllowed: 0, internal: 0 },
  };
}
