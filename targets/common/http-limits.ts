/**
 * Server-wide HTTP hardening shared by the targets: how long a client may take to send a
 * request head and a whole request, how long an idle keep-alive connection is kept, and how
 * large a request head may be. Node's defaults (60 s for the head, 300 s for the request,
 * checked only every 30 s) let a slowloris client or a body shorter than its Content-Length
 * hold a socket for minutes; these bounds drop them within seconds.
 *
 * Long-lived responses are safe: Node's request and headers timeouts only run until the
 * request (head plus body) has been received, so an SSE stream or an MCP event stream that
 * lasts hours is never cut by them.
 */
import type { Server } from 'node:http';

/** The bounds applied by {@link hardenHttpServer}. */
export interface HttpLimits {
  /** Most ms to receive a request head (slowloris bound); answered `408` and closed. Default 10000. */
  headersTimeoutMs: number;
  /** Most ms to receive a whole request, body included; answered `408` and closed. Default 30000. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept between requests, ms. Default 5000 (Node's). */
  keepAliveTimeoutMs: number;
  /** Largest request head (request line plus headers), bytes; larger is answered `431`. Default 16384. */
  maxHeaderBytes: number;
  /** How often the two timeouts are checked, ms (Node's default is 30000). Default 1000. */
  checkIntervalMs: number;
}

export const HTTP_LIMITS: Readonly<HttpLimits> = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxHeaderBytes: 16 * 1024,
  checkIntervalMs: 1_000,
});

/**
 * Applies {@link HTTP_LIMITS} (with `overrides`) to `server`. Call it before `listen`: Node
 * starts its timeout checker when the server starts listening.
 * @returns the limits in force
 * @throws Error when `headersTimeoutMs` exceeds `requestTimeoutMs` (Node would ignore one of them)
 */
export function hardenHttpServer(server: Server, overrides: Partial<HttpLimits> = {}): HttpLimits {
  const limits: HttpLimits = { ...HTTP_LIMITS, ...overrides };
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new Error(`headersTimeoutMs (${limits.headersTimeoutMs}) must not exceed requestTimeoutMs (${limits.requestTimeoutMs})`);
  }
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  // Both are read by Node when a connection arrives / when listening starts (not in @types/node as settable).
  const s = server as Server & { maxHeaderSize?: number; connectionsCheckingInterval?: number };
  s.maxHeaderSize = limits.maxHeaderBytes;
  s.connectionsCheckingInterval = limits.checkIntervalMs;
  return limits;
}
