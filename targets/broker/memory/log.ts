/**
 * A topic's message log: every message from the oldest one a subscription still needs to the newest.
 * Sequence numbers are consecutive, so a message is found by arithmetic (no map, no search), and a
 * message is released once every subscription that existed when it was published is done with it.
 */
import type { Message } from '../backend.ts';

/** A message as the log holds it: the public fields plus how many subscriptions still need it. */
export class StoredMessage implements Message {
  constructor(
    readonly topic: string,
    readonly seq: number,
    readonly id: string,
    readonly cid: string | undefined,
    readonly t: number,
    readonly payload: unknown,
    readonly bytes: number,
    /** Subscriptions that have not finished with it (acked, or delivered in no-ack mode). */
    public pending: number,
  ) {}
}

/** Initial ring capacity (a power of two; the ring doubles when full and never shrinks while the topic lives). */
const INITIAL_CAPACITY = 16;

export class MessageLog {
  /**
   * Ring buffer: in steady state (messages released about as fast as they come) it allocates nothing,
   * where an array that is emptied and refilled would reallocate its storage each time the log drains.
   */
  private slots: (StoredMessage | undefined)[] = new Array<StoredMessage | undefined>(INITIAL_CAPACITY).fill(undefined);
  private mask = INITIAL_CAPACITY - 1;
  /** Slot of the oldest held message. */
  private start = 0;
  /** Sequence number of the oldest held message (first > last when empty). */
  private firstSeq: number;
  /** Sequence number the next message gets. */
  nextSeq: number;
  /** Sum of the held messages' `bytes`. */
  bytes = 0;

  /** @param startSeq sequence number of the first message (default 1) */
  constructor(startSeq = 1) {
    this.firstSeq = startSeq;
    this.nextSeq = startSeq;
  }

  /** Messages held, including finished ones still behind an unfinished older one. */
  get size(): number {
    return this.nextSeq - this.firstSeq;
  }

  /** Sequence number of the newest message (first - 1 when nothing was published). */
  get last(): number {
    return this.nextSeq - 1;
  }

  /** Appends a message; its `seq` must be `nextSeq`. A message nobody needs (pending 0) is released at once when it is the oldest. */
  append(message: StoredMessage): void {
    if (message.seq !== this.nextSeq) throw new Error(`MessageLog.append: expected seq ${this.nextSeq}, got ${message.seq}`);
    if (this.size === this.slots.length) this.grow();
    this.slots[(this.start + this.size) & this.mask] = message;
    this.nextSeq++;
    this.bytes += message.bytes;
    if (message.pending === 0 && this.size === 1) this.releaseOldest();
  }

  /** The held message with this sequence number, or undefined (released or not published yet). */
  get(seq: number): StoredMessage | undefined {
    if (seq < this.firstSeq || seq >= this.nextSeq) return undefined;
    return this.slots[(this.start + (seq - this.firstSeq)) & this.mask];
  }

  /** One subscription finished with `seq`; releases every finished message at the old end. */
  done(seq: number): void {
    const m = this.get(seq);
    if (m === undefined || m.pending <= 0) return;
    m.pending--;
    if (m.pending === 0 && seq === this.firstSeq) this.releaseOldest();
  }

  private releaseOldest(): void {
    while (this.firstSeq < this.nextSeq) {
      const m = this.slots[this.start];
      if (m !== undefined && m.pending > 0) break;
      if (m !== undefined) this.bytes -= m.bytes;
      this.slots[this.start] = undefined; // the message can be collected now
      this.start = (this.start + 1) & this.mask;
      this.firstSeq++;
    }
  }

  /** Doubles the ring, oldest message first in the new one. */
  private grow(): void {
    const size = this.size;
    const next = new Array<StoredMessage | undefined>(this.slots.length * 2).fill(undefined);
    for (let i = 0; i < size; i++) next[i] = this.slots[(this.start + i) & this.mask];
    this.slots = next;
    this.mask = next.length - 1;
    this.start = 0;
  }

  /** Forgets everything (topic removed); sequence numbering continues. */
  clear(): void {
    this.slots = new Array<StoredMessage | undefined>(INITIAL_CAPACITY).fill(undefined);
    this.mask = INITIAL_CAPACITY - 1;
    this.start = 0;
    this.firstSeq = this.nextSeq;
    this.bytes = 0;
  }
}
