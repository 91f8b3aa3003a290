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

/** Consumed slots kept before the array is compacted (amortises the copy; see `compact`). */
const COMPACT_AFTER = 1024;

export class MessageLog {
  private entries: (StoredMessage | undefined)[] = [];
  /** Index in `entries` of the oldest held message. */
  private head = 0;
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
    this.entries.push(message);
    this.nextSeq++;
    this.bytes += message.bytes;
    if (message.pending === 0 && this.size === 1) this.releaseOldest();
  }

  /** The held message with this sequence number, or undefined (released or not published yet). */
  get(seq: number): StoredMessage | undefined {
    if (seq < this.firstSeq || seq >= this.nextSeq) return undefined;
    return this.entries[this.head + (seq - this.firstSeq)];
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
      const m = this.entries[this.head];
      if (m !== undefined && m.pending > 0) break;
      if (m !== undefined) this.bytes -= m.bytes;
      this.entries[this.head++] = undefined; // the message can be collected now
      this.firstSeq++;
    }
    this.compact();
  }

  /** Drops the consumed prefix once it is large and at least half the array, so the array stays bounded. */
  private compact(): void {
    if (this.head === this.entries.length) {
      this.entries.length = 0;
      this.head = 0;
    } else if (this.head > COMPACT_AFTER && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  /** Forgets everything (topic removed); sequence numbering continues. */
  clear(): void {
    this.entries = [];
    this.head = 0;
    this.firstSeq = this.nextSeq;
    this.bytes = 0;
  }
}
