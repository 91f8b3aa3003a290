/**
 * `GET /ticks` upgraded to a WebSocket (the `ws` package): each text message is one batch
 * (a tick, an array of ticks, or `{"id":..., "ticks":[...]}`). The engine answers a message
 * with `{"type":"ack", ...}` when it carried an `id` or when anything in it was refused, so a
 * fast sender pays for no reply it did not ask for and still hears about every error.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Auth } from '../common/auth.ts';
import { pathOf, replyOnUpgradeSocket } from '../common/http.ts';
import type { PeakGauge } from '../common/peak-gauge.ts';
import type { PeCounters } from './counters.ts';
import type { BatchReply, Engine } from './engine.ts';

/** What the WebSocket endpoint needs from the server. */
export interface WsHost {
  engine: Engine;
  counters: PeCounters;
  sessions: PeakGauge;
  maxWsSessions: number;
  /** Largest message, bytes; a bigger one closes the socket with 1009 (Message Too Big). */
  maxMessageBytes: number;
  /** Bearer-token auth; undefined = off (default). */
  auth?: Auth | undefined;
}

/** The reply to one message, or undefined when none is due. */
export function ackFor(reply: BatchReply): string | undefined {
  if (reply.id === undefined && reply.rejected === 0 && reply.batchError === undefined) return undefined;
  return JSON.stringify({ type: 'ack', ...reply });
}

/** Attaches the WebSocket endpoint to `server`; returns the close function and the live session count. */
export function attachWsIngest(server: Server, host: WsHost): { close(): void; readonly size: number } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: host.maxMessageBytes, perMessageDeflate: false, clientTracking: true });
  let closing = false;

  const onMessage = (ws: WebSocket, data: RawData, isBinary: boolean): void => {
    const entryMs = performance.now();
    if (isBinary) {
      host.counters.batches++;
      host.counters.batchesRejected++;
      host.counters.rejected.badBatch++;
      ws.send(JSON.stringify({ type: 'ack', accepted: 0, rejected: 0, errors: [], batchError: { reason: 'badBatch', error: 'binary message: send ticks as JSON text frames' } }));
      return;
    }
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
    const ack = ackFor(host.engine.ingestText(text, entryMs));
    if (ack !== undefined) ws.send(ack);
  };

  wss.on('connection', (ws: WebSocket) => {
    host.sessions.inc();
    ws.on('message', (data, isBinary) => onMessage(ws, data, isBinary));
    ws.on('error', (err: Error & { code?: string }) => {
      // ws has already closed the socket with the right code (1009 for a too-big message).
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        host.counters.batches++;
        host.counters.batchesRejected++;
        host.counters.rejected.bodyTooLarge++;
      }
    });
    ws.on('close', () => host.sessions.dec());
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (host.auth !== undefined && host.auth.refuseUpgrade(req, socket)) return; // 401 before any handshake
    const path = pathOf(req.url);
    if (path !== '/ticks') {
      host.counters.refused.notFound++;
      return replyOnUpgradeSocket(socket, 404, `no WebSocket endpoint at ${path}; ticks go to ws://HOST:PORT/ticks`);
    }
    if (closing) return replyOnUpgradeSocket(socket, 503, 'the engine is shutting down; reconnect to a running instance');
    if (wss.clients.size >= host.maxWsSessions) {
      host.counters.refused.overload++;
      return replyOnUpgradeSocket(socket, 503, `too many WebSocket sessions: the limit is ${host.maxWsSessions}. Raise it with TIDEMARK_PE_MAX_WS=N or send from fewer sessions (or POST /ticks).`);
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  return {
    close() {
      closing = true;
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
    get size() {
      return wss.clients.size;
    },
  };
}
