/**
 * Bytes held by all rings of a server together. Per-topic bounds alone would let
 * 1000 topics x 16 MiB exhaust the machine; with a shared budget, a ring that
 * pushes while the total is over budget evicts its own oldest events (busy topics
 * pay for themselves). A resuming client is then told about the loss, as always.
 */
import type { Frame } from './stream.ts';

export interface BufferBudget {
  used: number;
  readonly max: number;
}

/**
 * Bounded per-topic history for resume. Ids are consecutive, so a slot is found
 * by arithmetic: no search, no per-event object beyond the frame string.
 * Bounded by event count, by bytes, and by the shared budget (frames are ASCII:
 * length = bytes).
 */
export class EventRing {
  private readonly frames: (Frame | undefined)[] = [];
  private bytes = 0;
  /** Lowest id still held (first > last when empty). */
  first: number;
  /** Highest id pushed so far. */
  last: number;

  /**
   * @param capacity max events held; 0 keeps nothing (ids are still tracked)
   * @param maxBytes max bytes held; the newest event is always kept when capacity > 0
   * @param startSeq id of the first event that will be pushed
   * @param budget shared byte budget; default: unlimited
   */
  constructor(
    private readonly capacity: number,
    private readonly maxBytes: number,
    private readonly startSeq: number,
    private readonly budget: BufferBudget = { used: 0, max: Infinity },
  ) {
    this.first = startSeq;
    this.last = startSeq - 1;
  }

  get size(): number {
    return this.last - this.first + 1;
  }

  private slot(seq: number): number {
    return (seq - this.startSeq) % this.capacity;
  }

  /** Appends event `seq` (must be last + 1), evicting the oldest beyond the bounds. */
  push(seq: number, frame: Frame): void {
    if (seq !== this.last + 1) throw new Error(`EventRing.push: expected id ${this.last + 1}, got ${seq}`);
    if (this.capacity === 0) {
      this.last = seq;
      this.first = seq + 1;
      return;
    }
    // Full: the new id takes the oldest one's slot, so evict it first.
    if (this.size >= this.capacity) this.evictOldest();
    const i = this.slot(seq);
    // Sequential writes from slot 0 grow the array by appending until it is full.
    if (i === this.frames.length) this.frames.push(frame);
    else this.frames[i] = frame;
    this.bytes += frame.length;
    this.budget.used += frame.length;
    this.last = seq;
    while ((this.bytes > this.maxBytes || this.budget.used > this.budget.max) && this.size > 1) this.evictOldest();
  }

  private evictOldest(): void {
    const i = this.slot(this.first);
    const length = this.frames[i]?.length ?? 0;
    this.bytes -= length;
    this.budget.used -= length;
    this.frames[i] = undefined;
    this.first++;
  }

  /** Calls `fn` for every held event with id >= `from`, oldest first. */
  forEachFrom(from: number, fn: (seq: number, frame: Frame) => void): void {
    for (let seq = Math.max(from, this.first); seq <= this.last; seq++) {
      const frame = this.frames[this.slot(seq)];
      if (frame !== undefined) fn(seq, frame);
    }
  }

  /** Frees every frame (topic stopped). */
  clear(): void {
    this.frames.length = 0;
    this.budget.used -= this.bytes;
    this.bytes = 0;
    this.first = this.last + 1;
  }

  /** Bytes currently held. */
  get heldBytes(): number {
    return this.bytes;
  }
}
