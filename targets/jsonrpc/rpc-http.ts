/** `POST /rpc`: JSON-RPC 2.0 over HTTP, the body handed to the pure dispatcher. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../common/body.ts';
import type { DelayLine } from '../common/delay.ts';
import { methodNotAllowed } from '../common/http.ts';
import type { RpcCounters } from './counters.ts';
import { dispatch, type DispatchLimits, type MethodTable, type RpcReply } from './dispatch.ts';
import { ErrorCode, errorResponse } from './protocol.ts';

/** What the handler needs from the server. */
export interface RpcRoute {
  methods: MethodTable;
  limits: DispatchLimits & { maxBodyBytes: number };
  counters: RpcCounters;
  /** Delays answers by `TIDEMARK_FAULT_DELAY_MS`. */
  delay: DelayLine;
  /** True when the delay is above 0. */
  delayed: boolean;
}

const JSON_TYPE = 'application/json';

/** Writes a JSON body with its exact length; the flat header array skips Node's header object walk. */
function writeJson(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, ['content-type', JSON_TYPE, 'content-length', String(Buffer.byteLength(body))]);
  res.end(body);
}

/** Sends a reply now: 200 with the JSON, or 204 with no body. */
function send(res: ServerResponse, reply: RpcReply): void {
  if (res.destroyed) return; // the client left while the call ran
  if (reply.body === null) {
    res.writeHead(204);
    res.end();
  } else {
    writeJson(res, 200, reply.body);
  }
}

/** Adds one reply to the counters. */
function count(counters: RpcCounters, reply: RpcReply): void {
  counters.answered += reply.answered;
  counters.notifications += reply.notifications;
  if (reply.batch) counters.batches++;
  for (const code of reply.errorCodes) {
    const e = counters.errors;
    if (code === ErrorCode.ParseError) e.parse++;
    else if (code === ErrorCode.InvalidRequest) e.invalidRequest++;
    else if (code === ErrorCode.MethodNotFound) e.methodNotFound++;
    else if (code === ErrorCode.InvalidParams) e.invalidParams++;
    else if (code === ErrorCode.InternalError) e.internal++;
    else if (code === ErrorCode.InjectedFault) e.injected++;
    else e.other++;
  }
}

/** Counts and sends a reply; answers wait for the delay line when `TIDEMARK_FAULT_DELAY_MS` is set. */
function answer(res: ServerResponse, route: RpcRoute, reply: RpcReply): void {
  count(route.counters, reply);
  // Only answers are delayed (a reply with no body carries none); no closure on the undelayed path.
  if (route.delayed && reply.answered > 0) route.delay.schedule(() => send(res, reply));
  else send(res, reply);
}

/** Handles one request to `/rpc`. */
export function handleRpc(req: IncomingMessage, res: ServerResponse, route: RpcRoute): void {
  route.counters.httpRequests++;
  if (req.method !== 'POST') {
    route.counters.methodNotAllowed++;
    methodNotAllowed(res, req.method, '/rpc', ['POST']);
    return;
  }
  readBody(req, route.limits.maxBodyBytes, (body) => {
    if (!body.ok) {
      if (body.reason === 'aborted') return; // the client went away: nobody to answer
      route.counters.bodyTooLarge++;
      const why = `the request body is over ${route.limits.maxBodyBytes} bytes (TIDEMARK_JSONRPC_MAX_BODY_BYTES): send a smaller body or split the batch`;
      writeJson(res, 413, JSON.stringify(errorResponse(null, ErrorCode.InvalidRequest, 'Invalid Request', why)));
      return;
    }
    if (!body.utf8) {
      // JSON text must be UTF-8 (RFC 8259 section 8.1); decoding would silently turn the bad bytes
      // into U+FFFD and echo altered data, so the README's answer (-32700) is given instead.
      const error = errorResponse(null, ErrorCode.ParseError, 'Parse error', 'the request body is not valid UTF-8');
      answer(res, route, { body: JSON.stringify(error), answered: 1, notifications: 0, errorCodes: [ErrorCode.ParseError], batch: false });
      return;
    }
    const reply = dispatch(body.text, route.methods, route.limits);
    if (reply instanceof Promise) {
      reply.then(
        (r) => answer(res, route, r),
        // dispatch turns method failures into -32603 itself; reaching here is a bug, still answered.
        (err: unknown) => writeJson(res, 500, JSON.stringify(errorResponse(null, ErrorCode.InternalError, 'Internal error', String(err)))),
      );
    } else {
      answer(res, route, reply);
    }
  });
}
