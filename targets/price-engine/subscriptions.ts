/**
 * `GET /quotes[?symbols=A,B]`: a Server-Sent Events stream of quotes, for every symbol or the
 * named ones. Each quote is an `event: quote` whose data carries the tick's client time `t`
 * and the engine's emit time `e`, so a client measures tick-to-quote latency end to end.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Faults } from '../common/faults.ts';
import type { PeakGauge } from '../common/peak-gauge.ts';
import type { PeCounters } from './counters.ts';
import type { Hub, QuoteSink } from './hub.ts';
import { SYMBOL_PATTERN, show } from './tick.ts';

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no', // ask reverse proxies not to buffer the stream
};

/** First bytes of every stream: the reconnection delay (also flushes the headers at once). */
const RETRY_FRAME = 'retry: 1000\n\n';
const HEARTBEAT_FRAME = ': hb\n\n';

/** The symbols asked for, null for all, or why the request is refused. */
export type SymbolsResult = { ok: true; symbols: string[] | null } | { ok: false; error: string };

/**
 * Parses `symbols=A,B` (also repeated `symbols=A&symbols=B`): each must match SYMBOL_PATTERN;
 * duplicates are merged. Absent or empty means every symbol.
 * @param max most symbols one subscription may name
 */
export function parseSymbols(query: URLSearchParams, max: number): SymbolsResult {
  const raw = query.getAll('symbols').flatMap((v) => v.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  if (raw.length === 0) return { ok: true, symbols: null };
  const unique = [...new Set(raw)];
  const bad = unique.find((s) => !SYMBOL_PATTERN.test(s));
  if (bad !== undefined) {
    return { ok: false, error: `symbols: ${show(bad)} is invalid: expected a comma-separated list of symbols, each 1 to 24 characters [A-Z0-9._/:-] starting with a letter or digit` };
  }
  if (unique.length > max) {
    return { ok: false, error: `symbols: ${unique.length} symbols asked, the limit per subscription is ${max}: subscribe to all (no symbols parameter), open several streams, or raise TIDEMARK_PE_MAX_SUB_SYMBOLS` };
  }
  return { ok: true, symbols: unique };
}

/** One subscriber's stream: the single place bytes are written to it. */
class StreamSink implements QuoteSink {
  /** `TIDEMARK_FAULT_MEM_KB` ballast, released with the stream. */
  ballast: Buffer | undefined;

  constructor(
    readonly res: ServerResponse,
    private readonly counters: PeCounters,
    private readonly maxBufferedBytes: number,
    faults: Faults,
  ) {
    this.ballast = faults.holdMemory();
  }

  send(frame: string): void {
    const res = this.res;
    if (res.destroyed) return;
    res.write(frame);
    this.counters.bytesSent += frame.length; // ASCII only: length is bytes
    // Slow consumer: cut it rather than let its queue (and our RSS) grow without bound.
    if (res.writableLength > this.maxBufferedBytes) {
      this.counters.slowDisconnects++;
      res.destroy();
    }
  }
}

/** What the subscription endpoint needs from the server. */
export interface SubscriptionHost {
  hub: Hub;
  counters: PeCounters;
  faults: Faults;
  /** Protocol sessions (streams and WebSocket sessions) for `/stats` `connections`. */
  sessions: PeakGauge;
  maxSubscribers: number;
  maxSubscriptionSymbols: number;
  maxBufferedBytes: number;
  /** Refuses with a status and a text (counts the refusal). */
  refuse(res: ServerResponse, status: number, reason: keyof PeCounters['refused'], text: string, headers?: Record<string, string>): void;
}

/** Open quote streams, with a shared heartbeat. */
export class Subscriptions {
  private readonly streams = new Set<StreamSink>();
  private readonly heartbeat: NodeJS.Timeout;
  private closing = false;

  /** @param heartbeatMs interval of `: hb` comments on every stream */
  constructor(
    private readonly host: SubscriptionHost,
    heartbeatMs: number,
  ) {
    // One timer for all streams: a timer per stream would cost memory per connection.
    this.heartbeat = setInterval(() => {
      for (const s of this.streams) s.send(HEARTBEAT_FRAME);
    }, heartbeatMs);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.streams.size;
  }

  /** Answers `GET /quotes`. */
  open(_req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void {
    const h = this.host;
    const parsed = parseSymbols(query, h.maxSubscriptionSymbols);
    if (!parsed.ok) return h.refuse(res, 400, 'badRequest', parsed.error);
    if (this.closing) return h.refuse(res, 503, 'overload', 'the engine is shutting down; reconnect to a running instance');
    if (this.streams.size >= h.maxSubscribers) {
      return h.refuse(res, 503, 'overload', `too many subscribers: the limit is ${h.maxSubscribers} concurrent quote streams. Raise it with TIDEMARK_PE_MAX_SUBSCRIBERS=N (and ulimit -n) or open fewer streams.`, { 'retry-after': '1' });
    }
    res.writeHead(200, SSE_HEADERS);
    const sink = new StreamSink(res, h.counters, h.maxBufferedBytes, h.faults);
    const symbols = parsed.symbols;
    this.streams.add(sink);
    h.sessions.inc();
    h.hub.subscribe(sink, symbols);
    sink.send(RETRY_FRAME);
    res.on('close', () => {
      this.streams.delete(sink);
      h.sessions.dec();
      h.hub.unsubscribe(sink, symbols);
      sink.ballast = undefined;
    });
  }

  /** Stops the heartbeat and ends every stream. */
  close(): void {
    this.closing = true;
    clearInterval(this.heartbeat);
    for (const s of this.streams) s.res.destroy();
  }
}
