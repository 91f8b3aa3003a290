/**
 * Who gets which quotes: subscribers of chosen symbols, and subscribers of every symbol.
 * A quote is serialised only when someone wants it, once, and the same string goes to all.
 */

/** Where quote frames go: an SSE stream, or the in-process sink of the performance test. */
export interface QuoteSink {
  /** Writes one frame (the sink applies its own bounds). */
  send(frame: string): void;
}

export class Hub {
  private readonly bySymbol = new Map<string, Set<QuoteSink>>();
  private readonly everything = new Set<QuoteSink>();
  private count = 0;

  /** Subscribers now. */
  get size(): number {
    return this.count;
  }

  /**
   * Adds a sink for `symbols`, or for every symbol when `symbols` is null.
   * The caller keeps `symbols` to unsubscribe with the same list.
   */
  subscribe(sink: QuoteSink, symbols: readonly string[] | null): void {
    this.count++;
    if (symbols === null) {
      this.everything.add(sink);
      return;
    }
    for (const s of symbols) {
      let set = this.bySymbol.get(s);
      if (set === undefined) this.bySymbol.set(s, (set = new Set()));
      set.add(sink);
    }
  }

  /** Removes a sink added with the same `symbols`; empty symbol sets are forgotten (no growth under churn). */
  unsubscribe(sink: QuoteSink, symbols: readonly string[] | null): void {
    this.count--;
    if (symbols === null) {
      this.everything.delete(sink);
      return;
    }
    for (const s of symbols) {
      const set = this.bySymbol.get(s);
      if (set === undefined) continue;
      set.delete(sink);
      if (set.size === 0) this.bySymbol.delete(s);
    }
  }

  /** Whether any sink wants quotes of `symbol` (when none does, the frame is never built). */
  wants(symbol: string): boolean {
    return this.everything.size > 0 || this.bySymbol.has(symbol);
  }

  /** Sends `frame` to every sink of `symbol`; returns how many it reached. */
  publish(symbol: string, frame: string): number {
    let n = 0;
    for (const sink of this.everything) {
      sink.send(frame);
      n++;
    }
    const set = this.bySymbol.get(symbol);
    if (set !== undefined) {
      for (const sink of set) {
        sink.send(frame);
        n++;
      }
    }
    return n;
  }
}
