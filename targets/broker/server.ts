/**
 * The broker reference target: WebSocket pub/sub on `/ws` (the `ws` library) plus `/health` and `/stats`
 * on plain `node:http`. Routing, acks and backlogs live in the backend (memory/backend.ts by default).
 */
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { WebSocketServer } from 'ws';
import type { BackendStats, BrokerBackend } from './backend.ts';
import { authFromEnv, guardRequests } from '../common/auth.ts';
import { createFaults } from '../common/faults.ts';
import { BASE_PATHS, handleBaseRoutes, notFound, replyOnUpgradeSocket, sendText, splitUrl } from '../common/http.ts';
import { hardenHttpServer } from '../common/http-limits.ts';
import { closeServer, listen, type RunnableTarget } from '../common/lifecycle.ts';
import { createPeakGauge } from '../common/peak-gauge.ts';
import { baseStats, type BaseStats } from '../common/stats.ts';
import { newServerCounters, type ServerCounters } from './counters.ts';
import { MemoryBackend } from './memory/backend.ts';
import { brokerOptionsFromEnv, envName, type BrokerOptions } from './options.ts';
import { Session, type SessionContext } from './session.ts';

/** `/stats` of the broker: the base shape (`ops` = deliveries, `connections` = WebSocket sessions) plus broker figures. */
export interface BrokerStats extends BaseStats, BackendStats {
  /** The backend behind the broker (TIDEMARK_BROKER_BACKEND). */
  backend: string;
  server: ServerCounters;
  faults: BrokerOptions['faults'];
  limits: Omit<BrokerOptions, 'faults' | 'random'>;
}

export interface BrokerServer extends RunnableTarget {
  /** Binds; port 0 picks a free port. Defaults: port 0, host 127.0.0.1. */
  listen(port?: number, host?: string): Promise<AddressInfo>;
  stats(): BrokerStats;
}

/** The WebSocket endpoint. */
export const WS_PATH = '/ws';
const PATHS = [WS_PATH, ...BASE_PATHS];
/** Frames this many times the frame limit are not read at all: `ws` closes the connection with 1009. */
export const HARD_FRAME_FACTOR = 16;
/** How long shutdown waits for clients to answer the close frame before cutting them, ms. */
const CLOSE_GRACE_MS = 300;

/**
 * Builds the server (not listening yet).
 * @param overrides settings; each missing one comes from the environment via `brokerOptionsFromEnv()`
 * @param backend default: a MemoryBackend with these options (the server closes it on close)
 */
export function createBrokerServer(overrides: Partial<BrokerOptions> = {}, backend?: BrokerBackend): BrokerServer {
  const options: BrokerOptions = { ...brokerOptionsFromEnv(), ...overrides };
  const auth = authFromEnv(); // TIDEMARK_AUTH_TOKEN; undefined = off (targets/common/auth.ts)
  const store = backend ?? new MemoryBackend(options);
  const startedAt = performance.now();
  const faults = createFaults(options.faults, options.random);
  const counters = newServerCounters();
  const gauge = createPeakGauge();
  const sessions = new Set<Session>();
  let closing = false;

  const ctx: SessionContext = {
    backend: store,
    counters,
    defaults: { prefetch: options.prefetch, ackTimeoutMs: options.ackTimeoutMs },
    maxFrameBytes: options.maxFrameBytes,
    maxSubscriptions: options.maxSubscriptions,
    maxBufferedBytes: options.maxBufferedBytes,
  };

  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false, // compression costs CPU per message and muddies the figures
    maxPayload: options.maxFrameBytes * HARD_FRAME_FACTOR,
  });

  const server = createServer({ noDelay: true }, guardRequests(auth, (req, res) => {
    const { path } = splitUrl(req.url);
    if (handleBaseRoutes(req, res, path, { target: 'broker', stats })) return;
    if (path === WS_PATH) {
      return sendText(res, 426, `${WS_PATH} is a WebSocket endpoint: connect with a WebSocket client (Upgrade: websocket)`, { upgrade: 'websocket' });
    }
    notFound(res, path, PATHS);
  }));
  // Node's defaults let a request head trickled byte by byte (slowloris, also on the /ws upgrade) or a silent
  // socket hold a connection 60-90 s (bad-input.test.ts); upgraded WebSockets are not affected by these bounds.
  hardenHttpServer(server);

  server.on('upgrade', (req, socket, head) => {
    if (auth !== undefined && auth.refuseUpgrade(req, socket)) return; // 401 before any handshake
    const { path } = splitUrl(req.url);
    if (path !== WS_PATH) {
      counters.upgradesRefused.notFound++;
      return replyOnUpgradeSocket(socket, 404, `no WebSocket endpoint at ${path}; connect to ${WS_PATH}`);
    }
    if (closing) {
      counters.upgradesRefused.overload++;
      return replyOnUpgradeSocket(socket, 503, 'the broker is shutting down; connect to a running instance');
    }
    if (sessions.size >= options.maxConnections) {
      counters.upgradesRefused.overload++;
      return replyOnUpgradeSocket(socket, 503, `too many connections: the limit is ${options.maxConnections}. Raise it with ${envName('maxConnections')}=N (and ulimit -n) or connect fewer clients.`, { 'retry-after': '1' });
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      (socket as Socket).setNoDelay(true);
      gauge.inc();
      const session = new Session(ws, socket as Socket, ctx, faults.holdMemory(), (s) => {
        sessions.delete(s);
        gauge.dec();
      });
      sessions.add(session);
    });
  });

  const stats = (): BrokerStats => {
    const b = store.stats();
    const { faults: faultConfig, random: _random, ...limits } = options;
    return {
      ...baseStats('broker', startedAt, b.delivered, gauge),
      ...b,
      backend: store.name,
      server: { ...counters, errors: { ...counters.errors }, upgradesRefused: { ...counters.upgradesRefused } },
      faults: faultConfig,
      limits,
    };
  };

  return {
    server,
    listen: (port = 0, host = '127.0.0.1') => listen(server, port, host),
    stats,
    async close() {
      closing = true;
      for (const s of sessions) s.shutdown();
      const deadline = performance.now() + CLOSE_GRACE_MS;
      while (sessions.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      for (const s of sessions) s.terminate();
      await store.close();
      wss.close();
      await closeServer(server);
    },
  };
}
