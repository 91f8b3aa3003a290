/**
 * The engine path every tick takes, whatever brought it (WebSocket, HTTP, the dashboard's
 * test): decode the batch, validate each tick, apply the fault knobs, update the symbol's
 * book, emit the quote to subscribers, record entry-to-emission latency.
 *
 * Latency starts at the batch's entry time (when its bytes had fully arrived, before JSON
 * decoding) and ends when the quote is emitted: stamped with `e` and handed to the
 * subscribers' streams (with no subscriber, when it would be). A tick late in a big batch
 * therefore includes the work on the ticks before it, as a client would see it.
 */
import { performance } from 'node:perf_hooks';
import type { Histogram } from 'hdr-histogram-js';
import { createDelayLine, type DelayLine } from '../common/delay.ts';
import { createFaults, type Faults } from '../common/faults.ts';
import { parseBatch } from './batch.ts';
import { Books, quoteFrame, type Quote, type SymbolBook } from './book.ts';
import { newCounters, type PeCounters } from './counters.ts';
import type { Hub } from './hub.ts';
import { LatencyRecorder } from './latency.ts';
import type { PriceEngineOptions } from './options.ts';
import { parseTick, type RejectReason, type Tick } from './tick.ts';

/** One refused tick in a reply. */
export interface TickError {
  /** Position of the tick in its batch, from 0. */
  index: number;
  reason: RejectReason;
  error: string;
}

/** What the sender of a batch is told. */
export interface BatchReply {
  /** The envelope's `id`, echoed; absent when the batch had none. */
  id?: unknown;
  accepted: number;
  rejected: number;
  /** The first {@link MAX_LISTED_ERRORS} refusals; `moreErrors` counts the rest. */
  errors: TickError[];
  moreErrors?: number;
  /** Set when the batch was refused as a whole (no tick was processed). */
  batchError?: { reason: RejectReason; error: string };
}

/** `performance.timeOrigin`, read once (it is a getter). */
const TIME_ORIGIN = performance.timeOrigin;

/** Refusals listed per reply: enough to debug a sender, bounded so a bad batch cannot make a huge reply. */
export const MAX_LISTED_ERRORS = 20;

/** Per-batch extras used by the performance test: a histogram that records only its own ticks. */
export interface IngestProbe {
  latencyNs: Histogram;
}

type Admitted = { ok: true; tick: Tick; book: SymbolBook } | { ok: false; reason: RejectReason; error: string };

export class Engine {
  readonly counters: PeCounters = newCounters();
  readonly latency = new LatencyRecorder();
  readonly books: Books;
  private readonly faults: Faults;
  private readonly delay: DelayLine;

  constructor(
    private readonly options: PriceEngineOptions,
    private readonly hub: Hub,
  ) {
    this.books = new Books(options.maxSymbols, options.vwapWindowMs, options.vwapMaxTicks);
    this.faults = createFaults(options.faults, options.random);
    this.delay = createDelayLine(options.faults.delayMs);
  }

  /**
   * Processes one batch's text.
   * @param entryMs `performance.now()` when the batch had fully arrived
   * @param probe records this batch's latencies a second time (performance test); default none
   */
  ingestText(text: string, entryMs: number, probe?: IngestProbe): BatchReply {
    const c = this.counters;
    c.batches++;
    const batch = parseBatch(text, this.options.maxBatchTicks);
    if (!batch.ok) {
      c.batchesRejected++;
      c.rejected[batch.reason]++;
      return { ...(batch.id === undefined ? {} : { id: batch.id }), accepted: 0, rejected: 0, errors: [], batchError: { reason: batch.reason, error: batch.error } };
    }
    const reply = this.ingestItems(batch.items, entryMs, probe, batch.time);
    if (batch.id !== undefined) reply.id = batch.id;
    return reply;
  }

  /**
   * Processes decoded tick values (see {@link ingestText}).
   * @param batchTime client time of ticks without their own (the envelope's `time`); default none
   */
  ingestItems(items: readonly unknown[], entryMs: number, probe?: IngestProbe, batchTime?: number): BatchReply {
    const c = this.counters;
    const entryEpochMs = TIME_ORIGIN + entryMs;
    const reply: BatchReply = { accepted: 0, rejected: 0, errors: [] };
    const delayed: Quote[] | undefined = this.options.faults.delayMs > 0 ? [] : undefined;
    c.ticksReceived += items.length;
    for (let i = 0; i < items.length; i++) {
      const admitted = this.admit(items[i], batchTime);
      if (!admitted.ok) {
        c.ticksRejected++;
        c.rejected[admitted.reason]++;
        reply.rejected++;
        if (reply.errors.length < MAX_LISTED_ERRORS) reply.errors.push({ index: i, reason: admitted.reason, error: `tick ${i}: ${admitted.error}` });
        else reply.moreErrors = (reply.moreErrors ?? 0) + 1;
        continue;
      }
      this.faults.burn();
      // The batch's entry time is the VWAP clock: a batch arrives at one instant.
      const quote = admitted.book.apply(admitted.tick, entryMs, entryEpochMs);
      c.ticksProcessed++;
      reply.accepted++;
      if (delayed === undefined) this.emit(quote, entryMs, probe);
      else delayed.push(quote);
    }
    if (delayed !== undefined && delayed.length > 0) {
      // The batch waits once (not once per quote), like a slow downstream hop would delay it.
      this.delay.schedule(() => {
        for (const q of delayed) this.emit(q, entryMs, probe);
      });
    }
    return reply;
  }

  /** Validates one tick value, then the error fault, then the symbol limit. */
  private admit(item: unknown, batchTime: number | undefined): Admitted {
    const parsed = parseTick(item, batchTime);
    if (!parsed.ok) return parsed;
    if (this.faults.shouldFail()) {
      return { ok: false, reason: 'injected', error: `injected fault: TIDEMARK_FAULT_ERROR_RATE=${this.options.faults.errorRate} refuses this share of ticks (not a bug in the tick)` };
    }
    const book = this.books.get(parsed.tick.symbol);
    if (book === undefined) {
      return { ok: false, reason: 'tooManySymbols', error: `the engine already tracks ${this.options.maxSymbols} symbols, its limit: ticks for new symbols are refused (raise TIDEMARK_PE_MAX_SYMBOLS)` };
    }
    return { ok: true, tick: parsed.tick, book };
  }

  /** Hands a quote to its subscribers (unless the drop fault eats it) and records its latency. */
  private emit(quote: Quote, entryMs: number, probe: IngestProbe | undefined): void {
    const c = this.counters;
    if (this.faults.shouldDrop()) {
      c.quotesDropped++;
      return;
    }
    // One clock read per quote: the emit stamp `e` in the frame and the end of the latency are the same instant.
    const now = performance.now();
    if (this.hub.wants(quote.symbol)) c.quoteWrites += this.hub.publish(quote.symbol, quoteFrame(quote, TIME_ORIGIN + now));
    c.quotesEmitted++;
    const ns = (now - entryMs) * 1e6;
    this.latency.record(ns);
    probe?.latencyNs.recordValue(ns < 0 ? 0 : Math.round(ns));
  }

  /** Forgets quotes waiting in the delay line (the server is closing). */
  stop(): void {
    this.delay.clear();
  }
}
