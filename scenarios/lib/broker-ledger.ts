/**
 * Exact message accounting for one topic whose publishers and subscribers all live in one k6 VU.
 * Publisher confirms say which sequence numbers the broker accepted; each subscriber's deliveries say
 * which it got. Lost = confirmed but never delivered (counted per subscriber, not inferred from rates),
 * duplicate = delivered again, out of order = a first delivery below one already seen.
 *
 * No k6 imports: Node tests exercise it directly.
 */

/** What one delivery turned out to be. */
export interface DeliveryVerdict {
  /** First time this subscriber got this seq. */
  first: boolean;
  /** Got before: an at-least-once redelivery the consumer already processed. */
  duplicate: boolean;
  /** A first delivery (attempt 1) with a seq below one this subscriber already got. */
  outOfOrder: boolean;
}

/** One subscriber's view. Seqs up to `watermark` all arrived; `seen` holds only those above it. */
class SubscriberBook {
  watermark: number;
  readonly seen = new Set<number>();
  /** Highest seq delivered with attempt 1. */
  maxFirst = 0;
  /** Confirmed seqs not delivered yet. */
  outstanding = 0;

  constructor(firstSeq: number) {
    this.watermark = firstSeq - 1;
  }

  has(seq: number): boolean {
    return seq <= this.watermark || this.seen.has(seq);
  }

  add(seq: number): void {
    if (seq === this.watermark + 1) {
      this.watermark = seq;
      // Pull the contiguous run above it out of the set: memory stays proportional to the gaps.
      while (this.seen.delete(this.watermark + 1)) this.watermark++;
    } else {
      this.seen.add(seq);
    }
  }
}

export class Ledger {
  private readonly books: SubscriberBook[] = [];
  private readonly confirmedSeqs = new Set<number>();
  /** Highest seq confirmed so far (0 before the first confirm). */
  maxConfirmed = 0;

  /**
   * @param subscribers number of subscribers of the topic (each gets every message)
   * @param firstSeq seq of the topic's first message: 1 for a topic that did not exist before (default 1)
   */
  constructor(subscribers: number, firstSeq = 1) {
    for (let i = 0; i < subscribers; i++) this.books.push(new SubscriberBook(firstSeq));
  }

  /** Messages the broker confirmed. */
  get confirmed(): number {
    return this.confirmedSeqs.size;
  }

  /** A publisher confirm for `seq`. */
  confirm(seq: number): void {
    if (this.confirmedSeqs.has(seq)) return;
    this.confirmedSeqs.add(seq);
    if (seq > this.maxConfirmed) this.maxConfirmed = seq;
    for (const b of this.books) if (!b.has(seq)) b.outstanding++;
  }

  /** Subscriber `sub` got `seq` on delivery attempt `attempt` (1 = first delivery by the broker). */
  receive(sub: number, seq: number, attempt: number): DeliveryVerdict {
    const b = this.book(sub);
    if (b.has(seq)) return { first: false, duplicate: true, outOfOrder: false };
    const outOfOrder = attempt === 1 && seq < b.maxFirst;
    if (attempt === 1 && seq > b.maxFirst) b.maxFirst = seq;
    b.add(seq);
    if (this.confirmedSeqs.has(seq)) b.outstanding--;
    return { first: true, duplicate: false, outOfOrder };
  }

  /** Confirmed messages subscriber `sub` has not received (yet): at the end of a run, its lost messages. */
  outstanding(sub: number): number {
    return this.book(sub).outstanding;
  }

  /** Sum of {@link outstanding} over all subscribers. */
  totalOutstanding(): number {
    let n = 0;
    for (const b of this.books) n += b.outstanding;
    return n;
  }

  /** Highest seq up to which subscriber `sub` received every message. */
  watermark(sub: number): number {
    return this.book(sub).watermark;
  }

  private book(sub: number): SubscriberBook {
    const b = this.books[sub];
    if (b === undefined) throw new Error(`Ledger: no subscriber ${sub} (have ${this.books.length})`);
    return b;
  }
}
