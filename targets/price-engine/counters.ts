/** Monotonic counters of the price engine, reported by `/stats`, `/metrics.json` and `/metrics`. */
import { REJECT_REASONS, type RejectReason } from './tick.ts';

export interface PeCounters {
  /** Tick entries seen in accepted batches (valid or not). */
  ticksReceived: number;
  /** Ticks turned into a quote: the target's `ops`. */
  ticksProcessed: number;
  /** Ticks refused (each counted under its reason in `rejected`). */
  ticksRejected: number;
  /** Batches (POST bodies, WebSocket messages) received, refused ones included. */
  batches: number;
  /** Batches refused as a whole (malformed JSON, wrong shape, oversized): counted under their reason in `rejected`. */
  batchesRejected: number;
  /** Refusals by reason: per tick for tick reasons, per batch for batch reasons. */
  rejected: Record<RejectReason, number>;
  /** Quotes handed to subscribers (one per processed tick unless dropped). */
  quotesEmitted: number;
  /** Quotes skipped by `TIDEMARK_FAULT_DROP_RATE`. */
  quotesDropped: number;
  /** Quote frames written to subscriber streams (one quote reaches several subscribers). */
  quoteWrites: number;
  /** Bytes written on quote streams. */
  bytesSent: number;
  /** Subscribers disconnected because their unsent bytes exceeded the bound. */
  slowDisconnects: number;
  /** Subscriptions and WebSocket upgrades refused, by reason. */
  refused: { badRequest: number; overload: number; notFound: number; methodNotAllowed: number };
}

export function newCounters(): PeCounters {
  const rejected = Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>;
  return {
    ticksReceived: 0,
    ticksProcessed: 0,
    ticksRejected: 0,
    batches: 0,
    batchesRejected: 0,
    rejected,
    quotesEmitted: 0,
    quotesDropped: 0,
    quoteWrites: 0,
    bytesSent: 0,
    slowDisconnects: 0,
    refused: { badRequest: 0, overload: 0, notFound: 0, methodNotAllowed: 0 },
  };
}

/** Errors as the metrics report them: refused ticks plus batches refused as a whole. */
export function errorCount(c: PeCounters): number {
  return c.ticksRejected + c.batchesRejected;
}
