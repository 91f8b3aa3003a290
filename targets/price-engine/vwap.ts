/**
 * Volume-weighted average price over a sliding window: the last `windowMs` of engine time,
 * and at most `maxTicks` ticks (whichever is shorter), so memory per symbol is bounded
 * however fast its ticks arrive.
 *
 * A ring of (time, price x size, size) with running sums makes each update O(1). Running
 * sums of floats drift when values are subtracted again and again, so they are recomputed
 * from the ring every `capacity` evictions (amortised O(1) too), and at once when an evicted
 * value dwarfs what remains (cancellation would otherwise leave its rounding error behind).
 */

/** Initial ring slots; the ring doubles up to `maxTicks` as a symbol gets busier. */
const INITIAL_SLOTS = 16;

export class VwapWindow {
  private times: Float64Array;
  private notionals: Float64Array;
  private sizes: Float64Array;
  private head = 0;
  private count = 0;
  private sumNotional = 0;
  private sumSize = 0;
  private evictions = 0;

  /**
   * @param windowMs window length in ms of the clock passed to `add`
   * @param maxTicks most ticks kept
   */
  constructor(
    private readonly windowMs: number,
    private readonly maxTicks: number,
  ) {
    const slots = Math.min(INITIAL_SLOTS, maxTicks);
    this.times = new Float64Array(slots);
    this.notionals = new Float64Array(slots);
    this.sizes = new Float64Array(slots);
  }

  /** Ticks in the window now. */
  get length(): number {
    return this.count;
  }

  /** Adds a tick at time `now` (ms, non-decreasing), evicting what fell out, and returns the VWAP. */
  add(now: number, price: number, size: number): number {
    this.evictOlderThan(now - this.windowMs);
    if (this.count === this.maxTicks) this.evictOne();
    if (this.count === this.times.length) this.grow();
    const at = (this.head + this.count) % this.times.length;
    const notional = price * size;
    this.times[at] = now;
    this.notionals[at] = notional;
    this.sizes[at] = size;
    this.count++;
    this.sumNotional += notional;
    this.sumSize += size;
    return this.sumNotional / this.sumSize;
  }

  /** The VWAP of what is in the window (NaN when empty). */
  value(): number {
    return this.count === 0 ? NaN : this.sumNotional / this.sumSize;
  }

  private evictOlderThan(cutoff: number): void {
    while (this.count > 0 && this.times[this.head]! < cutoff) this.evictOne();
  }

  private evictOne(): void {
    const notional = this.notionals[this.head]!;
    const size = this.sizes[this.head]!;
    this.sumNotional -= notional;
    this.sumSize -= size;
    this.head = (this.head + 1) % this.times.length;
    this.count--;
    // Subtracting a value much larger than what remains leaves its rounding error (about 1e-16 of it)
    // in a small sum: recompute at once then; otherwise every `capacity` evictions.
    const cancelled = notional > Math.abs(this.sumNotional) * 1024 || size > Math.abs(this.sumSize) * 1024;
    if (cancelled || ++this.evictions >= this.times.length) this.resum();
  }

  /** Recomputes the sums from the ring (removes accumulated rounding error). */
  private resum(): void {
    this.evictions = 0;
    let n = 0;
    let q = 0;
    for (let i = 0; i < this.count; i++) {
      const at = (this.head + i) % this.times.length;
      n += this.notionals[at]!;
      q += this.sizes[at]!;
    }
    this.sumNotional = n;
    this.sumSize = q;
  }

  private grow(): void {
    const slots = Math.min(this.maxTicks, this.times.length * 2);
    const copy = (from: Float64Array): Float64Array => {
      const to = new Float64Array(slots);
      for (let i = 0; i < this.count; i++) to[i] = from[(this.head + i) % from.length]!;
      return to;
    };
    this.times = copy(this.times);
    this.notionals = copy(this.notionals);
    this.sizes = copy(this.sizes);
    this.head = 0;
  }
}
