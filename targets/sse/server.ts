/**
 * The SSE reference target: `GET /events` plus `/health` and `/stats`, on plain
 * `node:http` (no framework: this server is the yardstick, it must be cheap).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { authFromEnv, guardRequests } from '../common/auth.ts';
import { trackConnections, type ConnectionCounts } from '../common/connections.ts';
import { createFaults } from '../common/faults.ts';
import { BASE_PATHS, HANDLING_TIME_PATH, handleBaseRoutes, methodNotAllowed, notFound, sendText, splitUrl } from '../common/http.ts';
import { handlingTimeFromEnv } from '../common/handling-time.ts';
import { hardenHttpServer } from '../common/http-limits.ts';
import { closeServer, listen, type RunnableTarget } from '../common/lifecycle.ts';
import { baseStats, type BaseStats } from '../common/stats.ts';
import { newCounters, type SseCounters } from './counters.ts';
import { HEARTBEAT_FRAME, RETRY_FRAME } from './frame.ts';
import { SSE_DEFAULTS, envName, sseOptionsFromEnv, type SseOptions } from './options.ts';
import { parseStreamRequest, type StreamRequest } from './params.ts';
import { PrivateStream } from './private-stream.ts';
import { writeControl, type Delivery, type Stream } from './stream.ts';
import { Topic, type TopicHost } from './topic.ts';

/** `/stats` of the SSE target: the base shape plus SSE figures. `ops` == `eventsSent`. */
export interface SseStats extends BaseStats, SseCounters {
  /** Open event streams (each is one connection). `connections` counts these too. */
  streams: number;
  /** Open TCP sockets, scrapes of /health and /stats included. */
  sockets: ConnectionCounts;
  privateStreams: number;
  /** Topics alive, including those in their grace period. */
  topics: number;
  /** Subscribers per topic name. */
  topicSubscribers: Record<string, number>;
  /** Bytes held for resume by all topics. */
  bufferedBytes: number;
  faults: SseOptions['faults'];
  limits: Omit<SseOptions, 'faults' | 'random'>;
}

export interface SseServer extends RunnableTarget {
  /** Binds; port 0 picks a free port. Resolves with the bound address. Defaults: port 0, host 127.0.0.1. */
  listen(port?: number, host?: string): Promise<AddressInfo>;
  stats(): SseStats;
}

const PATHS = ['/events', ...BASE_PATHS, HANDLING_TIME_PATH];
const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no', // ask reverse proxies not to buffer the stream
};

/**
 * Builds the server (not listening yet).
 * @param overrides settings; each missing one comes from the environment via `sseOptionsFromEnv()`
 */
export function createSseServer(overrides: Partial<SseOptions> = {}): SseServer {
  const options: SseOptions = { ...sseOptionsFromEnv(), ...overrides };
  const auth = authFromEnv(); // TIDEMARK_AUTH_TOKEN; undefined = off (targets/common/auth.ts)
  const startedAt = performance.now();
  const counters = newCounters();
  const faults = createFaults(options.faults, options.random);
  const handlingTime = handlingTimeFromEnv('event produced → written to its socket');
  const delivery: Delivery = { faults, counters, maxBufferedBytes: options.maxBufferedBytes, handling: handlingTime };
  const streams = new Set<Stream>();
  // `/stats` connections count event streams, the unit of memory here: not /health or /stats scrapes.
  const streamCounts: ConnectionCounts = { current: 0, peak: 0 };
  const privates = new Map<Stream, PrivateStream>();
  const topics = new Map<string, Topic>();
  const subscriptions = new Map<Stream, Topic>();
  let closing = false;

  const topicHost: TopicHost = {
    delivery,
    bufferEvents: options.bufferEvents,
    bufferBytes: options.bufferBytes,
    budget: { used: 0, max: options.bufferTotalBytes },
    graceMs: options.graceMs,
    delayMs: options.faults.delayMs,
    onExpired: (topic) => {
      if (topics.get(topic.name) === topic) topics.delete(topic.name);
    },
  };

  // One timer for all heartbeats: per-connection timers would cost memory per connection.
  const heartbeat = setInterval(() => {
    for (const s of streams) writeControl(delivery, s, HEARTBEAT_FRAME);
  }, options.heartbeatMs);
  heartbeat.unref();

  const reject = (res: ServerResponse, status: number, reason: keyof SseCounters['rejected'], text: string, headers: Record<string, string> = {}): void => {
    counters.rejected[reason]++;
    sendText(res, status, text, headers);
  };

  /** Finds or creates the topic for a request; answers the error itself and returns undefined on refusal. */
  const topicFor = (res: ServerResponse, name: string, r: StreamRequest): Topic | undefined => {
    const existing = topics.get(name);
    if (existing !== undefined) {
      const why = existing.conflict(r.rateGiven ? r.rate : undefined, r.sizeGiven ? r.size : undefined, r.lastEventId);
      if (why !== undefined) reject(res, 409, 'conflict', why);
      return why === undefined ? existing : undefined;
    }
    if (topics.size >= options.maxTopics) {
      reject(res, 503, 'overload', `too many topics: the limit is ${options.maxTopics}. Raise it with ${envName('maxTopics')}=N, or reuse topics (an idle topic is kept ${options.graceMs} ms for resume, ${envName('graceMs')}).`, { 'retry-after': '1' });
      return undefined;
    }
    // A resuming client re-creating a topic (e.g. after a restart) continues its numbering.
    const topic = new Topic(name, r.rate, r.size, (r.lastEventId ?? 0) + 1, topicHost);
    topics.set(name, topic);
    return topic;
  };

  const openStream = (req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void => {
    // A stream request has no body. One announcing a body (a lying Content-Length, an endless chunked
    // upload) used to get a stream while its unread body stalled the socket until the request timeout
    // cut the stream: refuse it at once (413, limit 0 bytes) and close the connection.
    if (req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0') {
      return reject(res, 413, 'badRequest', 'GET /events takes no request body (the limit is 0 bytes): send rate, size, topic and lastEventId in the query string', { connection: 'close' });
    }
    const lastEventIdHeader = req.headers['last-event-id'];
    const parsed = parseStreamRequest(query, typeof lastEventIdHeader === 'string' ? lastEventIdHeader : undefined);
    if (!parsed.ok) return reject(res, 400, 'badRequest', parsed.error);
    if (closing) return reject(res, 503, 'overload', 'the server is shutting down; reconnect to a running instance');
    if (streams.size >= options.maxConnections) {
      return reject(res, 503, 'overload', `too many SSE connections: the limit is ${options.maxConnections} concurrent streams. Raise it with ${envName('maxConnections')}=N (and the open-file limit, ulimit -n) or open fewer streams.`, { 'retry-after': '1' });
    }
    if (faults.shouldFail()) {
      counters.errorsInjected++;
      return sendText(res, 500, `injected fault: TIDEMARK_FAULT_ERROR_RATE=${options.faults.errorRate} answers this share of /events requests with 500 (not a bug in the target)`);
    }
    const r = parsed.value;
    const topic = r.topic === undefined ? undefined : topicFor(res, r.topic, r);
    if (r.topic !== undefined && topic === undefined) return;

    res.writeHead(200, SSE_HEADERS);
    const stream: Stream = { res, after: 0, ballast: faults.holdMemory() };
    streams.add(stream);
    streamCounts.current = streams.size;
    streamCounts.peak = Math.max(streamCounts.peak, streams.size);
    writeControl(delivery, stream, RETRY_FRAME);
    res.on('close', () => {
      streams.delete(stream);
      streamCounts.current = streams.size;
      stream.ballast = undefined;
      const t = subscriptions.get(stream);
      if (t !== undefined) {
        subscriptions.delete(stream);
        t.unsubscribe(stream);
      } else {
        privates.get(stream)?.stop();
        privates.delete(stream);
      }
    });
    if (topic !== undefined) {
      subscriptions.set(stream, topic);
      topic.subscribe(stream, r.lastEventId);
    } else {
      if (r.lastEventId !== undefined) counters.resumes++;
      privates.set(stream, new PrivateStream(stream, r.rate, r.size, (r.lastEventId ?? 0) + 1, delivery, options.faults.delayMs));
    }
  };

  const stats = (): SseStats => {
    const topicSubscribers: Record<string, number> = {};
    for (const [name, t] of topics) topicSubscribers[name] = t.subscribers.size;
    const { faults: faultConfig, random: _random, ...limits } = options;
    return {
      ...baseStats('sse', startedAt, counters.eventsSent, streamCounts),
      sockets: { ...connections },
      ...counters,
      rejected: { ...counters.rejected },
      streams: streams.size,
      privateStreams: privates.size,
      topics: topics.size,
      topicSubscribers,
      bufferedBytes: topicHost.budget.used,
      faults: faultConfig,
      limits,
    };
  };

  const server = createServer({ noDelay: true }, guardRequests(auth, (req, res) => {
    const { path, query } = splitUrl(req.url);
    if (handleBaseRoutes(req, res, path, { target: 'sse', stats, handlingTime })) return;
    if (path !== '/events') {
      counters.rejected.notFound++;
      return notFound(res, path, PATHS);
    }
    if (req.method !== 'GET') {
      counters.rejected.methodNotAllowed++;
      return methodNotAllowed(res, req.method, path, ['GET']);
    }
    openStream(req, res, query);
  }));
  const connections = trackConnections(server);
  // Bounds on slow or idle request heads (slowloris) and head size; Node's defaults hold a
  // trickling socket 60 to 90 s. Streams are unaffected: the timeouts end with the request.
  hardenHttpServer(server);

  return {
    server,
    listen: (port = 0, host = '127.0.0.1') => listen(server, port, host),
    stats,
    async close() {
      closing = true;
      clearInterval(heartbeat);
      for (const t of topics.values()) t.stop();
      topics.clear();
      for (const p of privates.values()) p.stop();
      privates.clear();
      await closeServer(server);
    },
  };
}

export { SSE_DEFAULTS };
