/**
 * The HTTP side of the cost drivers (client side: not under valgrind). Two rules keep the target's work the
 * same from one run to the next:
 * - each request reaches the target in one write (`end(body)` sends head and body together), so the target
 *   reads it in one go whatever the timing;
 * - connections are closed from this side and the close is awaited until the target has closed its end too,
 *   so the target has handled every close before it is told to stop.
 */
import { Agent, request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';

export interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** How long one request or one close may take under valgrind on a busy machine, ms. */
export const REQUEST_TIMEOUT_MS = 60_000;

/** Resolves once `socket` has closed (at once when it already has); rejects after `timeoutMs`. */
export function socketClosed(socket: Socket, timeoutMs = REQUEST_TIMEOUT_MS): Promise<void> {
  if (socket.closed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the target did not close a connection within ${timeoutMs} ms`)), timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** One keep-alive connection to a target on 127.0.0.1, requests one after the other (closed loop). */
export class LoopbackHttpClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private readonly sockets = new Set<Socket>();

  /**
   * @param port the target's loopback port
   * @param beforeRequest awaited before each request is sent and before the close (the driver's idle wait);
   *   default none
   */
  constructor(
    readonly port: number,
    private readonly beforeRequest: () => Promise<void> = () => Promise.resolve(),
  ) {}

  /** Sends one request and reads the whole reply. */
  async request(method: string, path: string, body?: string, headers: OutgoingHttpHeaders = {}): Promise<HttpReply> {
    await this.beforeRequest();
    return new Promise((resolve, reject) => {
      const allHeaders: OutgoingHttpHeaders = { ...headers };
      if (body !== undefined) allHeaders['content-length'] = Buffer.byteLength(body);
      const req = request({ host: '127.0.0.1', port: this.port, method, path, agent: this.agent, headers: allHeaders }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        res.on('error', reject);
      });
      req.on('socket', (socket) => this.sockets.add(socket));
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`${method} ${path}: no reply within ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** POSTs JSON and parses the JSON reply; throws on a status other than 200. */
  async postJson(path: string, value: unknown): Promise<unknown> {
    const reply = await this.request('POST', path, JSON.stringify(value), { 'content-type': 'application/json' });
    if (reply.status !== 200) throw new Error(`POST ${path}: status ${reply.status}: ${reply.text.slice(0, 200)}`);
    return JSON.parse(reply.text);
  }

  /** Ends the connection and waits until the target has closed it too. */
  async close(): Promise<void> {
    for (const socket of [...this.sockets].filter((s) => !s.closed)) {
      await this.beforeRequest();
      socket.end();
      await socketClosed(socket);
    }
    this.agent.destroy();
  }
}

/**
 * `GET /stats` on a connection of its own with `Connection: close`, awaited until the target closed it: the
 * last request of a run, so the figure counts exactly one of them.
 */
export async function finalStats(port: number): Promise<Record<string, unknown>> {
  const reply = await new Promise<HttpReply>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'GET', path: '/stats', agent: false, headers: { connection: 'close' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => void socketClosed(req.socket ?? res.socket).then(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }), reject));
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`GET /stats: no reply within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end();
  });
  if (reply.status !== 200) throw new Error(`GET /stats: status ${reply.status}: ${reply.text.slice(0, 200)}`);
  return JSON.parse(reply.text) as Record<string, unknown>;
}
