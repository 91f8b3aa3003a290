/** Per-symbol state and the quote each tick produces. */
import type { Tick } from './tick.ts';
import { VwapWindow } from './vwap.ts';

/** What a tick produces for its symbol. */
export interface Quote {
  symbol: string;
  /** Per-symbol sequence, 1, 2, 3... Every processed tick takes one, so a dropped quote leaves a gap. */
  seq: number;
  /** (bid + ask) / 2 of the last tick. */
  mid: number;
  /** ask - bid of the last tick. */
  spread: number;
  /** Volume-weighted mid over the window. */
  vwap: number;
  /** Ticks in the VWAP window. */
  n: number;
  /** The last tick's bid, ask and size. */
  bid: number;
  ask: number;
  size: number;
  /** The tick's client time (ms since the epoch), or the engine's entry time when the tick had none. */
  t: number;
}

/** One symbol's running state. */
export class SymbolBook {
  seq = 0;
  private readonly vwap: VwapWindow;

  constructor(
    readonly symbol: string,
    windowMs: number,
    maxTicks: number,
  ) {
    this.vwap = new VwapWindow(windowMs, maxTicks);
  }

  /**
   * Applies a validated tick and returns the new quote.
   * @param nowMs engine clock (performance.now()), the VWAP window's time base
   * @param entryEpochMs when the tick entered the engine, used as `t` when the tick has no time
   */
  apply(tick: Tick, nowMs: number, entryEpochMs: number): Quote {
    const mid = (tick.bid + tick.ask) / 2;
    const vwap = this.vwap.add(nowMs, mid, tick.size);
    return {
      symbol: this.symbol,
      seq: ++this.seq,
      mid,
      spread: tick.ask - tick.bid,
      vwap,
      n: this.vwap.length,
      bid: tick.bid,
      ask: tick.ask,
      size: tick.size,
      t: tick.time ?? entryEpochMs,
    };
  }
}

/** All symbols, bounded in number. */
export class Books {
  private readonly books = new Map<string, SymbolBook>();

  constructor(
    private readonly maxSymbols: number,
    private readonly windowMs: number,
    private readonly maxTicks: number,
  ) {}

  get size(): number {
    return this.books.size;
  }

  /** The book of `symbol`, created on first use; undefined when a new symbol would pass `maxSymbols`. */
  get(symbol: string): SymbolBook | undefined {
    let book = this.books.get(symbol);
    if (book === undefined) {
      if (this.books.size >= this.maxSymbols) return undefined;
      book = new SymbolBook(symbol, this.windowMs, this.maxTicks);
      this.books.set(symbol, book);
    }
    return book;
  }
}

/**
 * The SSE frame of a quote. `e` is the engine's emit time (ms since the epoch, µs precision).
 * Symbols match SYMBOL_PATTERN and every number is finite, so template concatenation is valid JSON.
 */
export function quoteFrame(q: Quote, emitEpochMs: number): string {
  return `event: quote\ndata: {"symbol":"${q.symbol}","seq":${q.seq},"mid":${q.mid},"spread":${q.spread},"vwap":${q.vwap},"n":${q.n},"last":{"bid":${q.bid},"ask":${q.ask},"size":${q.size}},"t":${q.t},"e":${emitEpochMs.toFixed(3)}}\n\n`;
}
