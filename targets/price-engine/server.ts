/**
 * The price-engine reference target on plain `node:http` plus `ws` (no framework: this
 * server is the yardstick, it must be cheap). Routes:
 *   POST /ticks, WS /ticks      tick batches in
 *   GET  /quotes[?symbols=A,B]  quotes out (SSE)
 *   GET  /metrics.json, GET /metrics, POST /metrics/marks
 *   POST /perf-test             the dashboard's in-process test
 *   GET  /                      the live dashboard (and its static files)
 *   GET  /health, GET /stats
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { authFromEnv, guardRequests } from '../common/auth.ts';
import { readBody } from '../common/body.ts';
import { createFaults } from '../common/faults.ts';
import { BASE_PATHS, handleBaseRoutes, methodNotAllowed, notFound, sendJson, sendText, splitUrl } from '../common/http.ts';
import { hardenHttpServer } from '../common/http-limits.ts';
import { closeServer, listen, type RunnableTarget } from '../common/lifecycle.ts';
import { createPeakGauge } from '../common/peak-gauge.ts';
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from '../common/prometheus.ts';
import { baseStats, type BaseStats } from '../common/stats.ts';
import { processUsage } from '../common/proc.ts';
import type { PeCounters } from './counters.ts';
import { dashboardFiles } from './dashboard-files.ts';
import { Engine, type BatchReply } from './engine.ts';
import { Hub } from './hub.ts';
import { metricsJson, prometheusFamilies, type MetricsInput } from './metrics.ts';
import { PE_DEFAULTS, peOptionsFromEnv, type PriceEngineOptions } from './options.ts';
import { parsePerfTestRequest, runPerfTest, type PerfTestResult } from './perf-test.ts';
import { Series } from './series.ts';
import { Subscriptions } from './subscriptions.ts';
import { attachWsIngest } from './ws-ingest.ts';

/** `/stats`: the base shape (`ops` = ticks processed, `connections` = quote streams + WebSocket sessions) plus engine counts. */
export interface PeStats extends BaseStats, PeCounters {
  subscribers: number;
  wsSessions: number;
  symbols: number;
  faults: PriceEngineOptions['faults'];
  limits: Omit<PriceEngineOptions, 'faults' | 'random'>;
}

export interface PriceEngineServer extends RunnableTarget {
  /** Binds; port 0 picks a free port. Defaults: port 0, host 127.0.0.1. */
  listen(port?: number, host?: string): Promise<AddressInfo>;
  stats(): PeStats;
  readonly engine: Engine;
}

/** Routes besides the base ones and the static dashboard files, for 404 answers. */
const ROUTES = ['/ticks', '/quotes', '/metrics.json', '/metrics', '/metrics/marks', '/perf-test', ...BASE_PATHS];

/** HTTP status of a tick batch reply: 200 all accepted, 422 some refused, 400/413 refused as a whole. */
export function batchStatus(reply: BatchReply): number {
  if (reply.batchError !== undefined) return reply.batchError.reason === 'oversizedBatch' ? 413 : 400;
  return reply.rejected > 0 ? 422 : 200;
}

/** The mark delay from a `POST /metrics/marks` body: ms, or an error sentence. Empty body: 0. */
export function parseMarkDelay(text: string): number | string {
  if (text.trim() === '') return 0;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    return `malformed JSON: ${(err as Error).message}`;
  }
  const afterMs = typeof body === 'object' && body !== null ? (body as { afterMs?: unknown }).afterMs : undefined;
  if (afterMs === undefined) return 0;
  if (typeof afterMs !== 'number' || !Number.isFinite(afterMs) || afterMs < 0 || afterMs > 3_600_000) {
    return `afterMs=${JSON.stringify(afterMs)} is invalid: expected ms from 0 to 3600000 after which the mark is taken`;
  }
  return afterMs;
}

/**
 * Builds the server (not listening yet).
 * @param overrides settings; each missing one comes from the environment via `peOptionsFromEnv()`
 */
export function createPriceEngine(overrides: Partial<PriceEngineOptions> = {}): PriceEngineServer {
  const options: PriceEngineOptions = { ...peOptionsFromEnv(), ...overrides };
  const startedAt = performance.now();
  const hub = new Hub();
  const engine = new Engine(options, hub);
  const counters = engine.counters;
  const faults = createFaults(options.faults, options.random);
  const sessions = createPeakGauge();
  const series = new Series();
  const statics = dashboardFiles();
  // TIDEMARK_AUTH_TOKEN; undefined = off. The dashboard (page, files, the two API calls it makes) also takes
  // the cookie that `GET /?token=<token>` sets, as a browser cannot send the header (targets/common/auth.ts).
  const auth = authFromEnv({ loginPath: '/', paths: [...statics.paths, '/metrics.json', '/perf-test'] });
  let perfTest: Promise<PerfTestResult> | undefined;

  const refuse = (res: ServerResponse, status: number, reason: keyof PeCounters['refused'], text: string, headers: Record<string, string> = {}): void => {
    counters.refused[reason]++;
    sendText(res, status, text, headers);
  };

  const subscriptions = new Subscriptions(
    {
      hub,
      counters,
      faults,
      sessions,
      maxSubscribers: options.maxSubscribers,
      maxSubscriptionSymbols: options.maxSubscriptionSymbols,
      maxBufferedBytes: options.maxBufferedBytes,
      refuse,
    },
    options.heartbeatMs,
  );

  // Once a second: close the latency second and add a point to the series.
  const clock = setInterval(() => series.push(counters, engine.latency.rotate()), 1000);
  clock.unref();

  const uptimeS = (): number => Math.round(performance.now() - startedAt) / 1000;

  const metricsInput = (): MetricsInput => ({
    uptimeS: uptimeS(),
    counters,
    latency: engine.latency.summary(),
    latencySumNs: engine.latency.sumNs,
    recent: engine.latency.recent(),
    series: series.all(),
    subscribers: subscriptions.size,
    wsSessions: ws.size,
    symbols: engine.books.size,
    rssBytes: processUsage().rssBytes,
  });

  const stats = (): PeStats => {
    const { faults: faultConfig, random: _random, ...limits } = options;
    return {
      ...baseStats('price-engine', startedAt, counters.ticksProcessed, sessions),
      ...counters,
      rejected: { ...counters.rejected },
      refused: { ...counters.refused },
      subscribers: subscriptions.size,
      wsSessions: ws.size,
      symbols: engine.books.size,
      faults: faultConfig,
      limits,
    };
  };

  const postTicks = (req: IncomingMessage, res: ServerResponse): void => {
    readBody(req, options.maxBodyBytes, (body) => {
      if (!body.ok) {
        if (body.reason === 'aborted') return; // the client went away: nobody to answer
        counters.batches++;
        counters.batchesRejected++;
        counters.rejected.bodyTooLarge++;
        const error = `body larger than ${options.maxBodyBytes} bytes: split the batch (or raise TIDEMARK_PE_MAX_BODY_BYTES)`;
        sendJson(res, 413, { accepted: 0, rejected: 0, errors: [], batchError: { reason: 'bodyTooLarge', error } });
        return;
      }
      if (!body.utf8) {
        // JSON text is UTF-8 (RFC 8259). Invalid bytes used to become U+FFFD and the batch was processed with altered
        // strings (an echoed id changed); refused as a whole instead, as ws closes a WebSocket message like it (1007).
        counters.batches++;
        counters.batchesRejected++;
        counters.rejected.malformedJson++;
        const error = 'malformed JSON: the body is not valid UTF-8 (JSON text must be UTF-8 encoded)';
        sendJson(res, 400, { accepted: 0, rejected: 0, errors: [], batchError: { reason: 'malformedJson', error } });
        return;
      }
      const reply = engine.ingestText(body.text, performance.now());
      sendJson(res, batchStatus(reply), reply);
    });
  };

  const metricsJsonRoute = (res: ServerResponse, query: URLSearchParams): void => {
    const input = metricsInput();
    const markId = query.get('mark');
    if (markId !== null) {
      const found = engine.latency.sinceMark(markId);
      if (found.state === 'unknown') {
        return refuse(res, 404, 'notFound', `mark ${JSON.stringify(markId.slice(0, 40))} is unknown: create one with POST /metrics/marks (the ${engine.latency.markCount} newest of at most 16 are kept)`);
      }
      if (found.state === 'pending') {
        return refuse(res, 409, 'badRequest', `mark ${markId} is taken at ${new Date(found.atMs).toISOString()} (it was created with a delay): ask again after that`, { 'retry-after': '1' });
      }
      input.mark = { id: markId, window: found.window };
    }
    sendJson(res, 200, metricsJson(input));
  };

  /** `POST /metrics/marks`, optional body `{"afterMs": N}` (0..3,600,000): take the mark that much later. */
  const createMark = (req: IncomingMessage, res: ServerResponse): void => {
    readBody(req, 1024, (body) => {
      if (!body.ok) {
        if (body.reason === 'too-large') refuse(res, 413, 'badRequest', 'mark body larger than 1024 bytes: send {"afterMs":N} or nothing');
        return;
      }
      const afterMs = parseMarkDelay(body.text);
      if (typeof afterMs === 'string') return refuse(res, 400, 'badRequest', afterMs);
      sendJson(res, 201, engine.latency.mark(afterMs));
    });
  };

  const perfTestRoute = (req: IncomingMessage, res: ServerResponse): void => {
    readBody(req, 4096, (body) => {
      if (!body.ok) {
        if (body.reason === 'too-large') refuse(res, 413, 'badRequest', 'perf-test body larger than 4096 bytes: send {"ticks":N,"warmupTicks":W,"rate":R,"symbols":S}');
        return;
      }
      const parsed = parsePerfTestRequest(body.text);
      if (!parsed.ok) return refuse(res, 400, 'badRequest', `perf-test: ${parsed.error}`);
      if (perfTest !== undefined) return refuse(res, 409, 'overload', 'a performance test is already running: wait for its result');
      const extraWaitMs = options.faults.delayMs > 0 ? options.faults.delayMs + 50 : 0;
      perfTest = runPerfTest(engine, hub, parsed.value, options.maxBatchTicks, extraWaitMs).finally(() => (perfTest = undefined));
      perfTest.then(
        (result) => sendJson(res, 200, result),
        (err: unknown) => sendText(res, 500, `perf-test failed: ${String(err)}`),
      );
    });
  };

  /** One place that decides the route; async handlers report their own errors. */
  const route = (req: IncomingMessage, res: ServerResponse): void => {
    const { path, query } = splitUrl(req.url);
    if (handleBaseRoutes(req, res, path, { target: 'price-engine', stats })) return;
    if (statics.handle(req, res, path)) return;
    const method = req.method ?? 'GET';
    const only = (allowed: string[]): boolean => {
      if (allowed.includes(method)) return true;
      counters.refused.methodNotAllowed++;
      methodNotAllowed(res, method, path, allowed);
      return false;
    };
    switch (path) {
      case '/ticks':
        if (method === 'GET') return refuse(res, 426, 'badRequest', 'GET /ticks is the WebSocket endpoint: connect with a WebSocket client (Upgrade: websocket), or POST tick batches here', { upgrade: 'websocket' });
        if (only(['POST'])) postTicks(req, res);
        return;
      case '/quotes':
        if (only(['GET'])) subscriptions.open(req, res, query);
        return;
      case '/metrics.json':
        if (only(['GET', 'HEAD'])) metricsJsonRoute(res, query);
        return;
      case '/metrics':
        if (only(['GET', 'HEAD'])) sendText(res, 200, renderPrometheus(prometheusFamilies(metricsInput())), { 'content-type': PROMETHEUS_CONTENT_TYPE });
        return;
      case '/metrics/marks':
        if (only(['POST'])) createMark(req, res);
        return;
      case '/perf-test':
        if (only(['POST'])) perfTestRoute(req, res);
        return;
      default:
        refuse(res, 404, 'notFound', `no such path ${path}; this target serves ${[...statics.paths.slice(0, 1), ...ROUTES].join(', ')}`);
    }
  };

  const server = createServer({ noDelay: true }, guardRequests(auth, route));
  // Node's defaults let a request head trickled byte by byte (slowloris, also on the /ticks upgrade), a silent
  // socket or a POST body shorter than its Content-Length hold a connection 60-300 s (bad-input.test.ts).
  // Quote streams and upgraded WebSockets are not affected: these bounds end once the request is received.
  hardenHttpServer(server);
  const ws = attachWsIngest(server, { engine, counters, sessions, maxWsSessions: options.maxWsSessions, maxMessageBytes: options.maxMessageBytes, auth });

  return {
    server,
    engine,
    listen: (port = 0, host = '127.0.0.1') => listen(server, port, host),
    stats,
    async close() {
      clearInterval(clock);
      engine.stop();
      engine.latency.clearMarks();
      subscriptions.close();
      ws.close();
      await closeServer(server);
    },
  };
}

export { PE_DEFAULTS };
