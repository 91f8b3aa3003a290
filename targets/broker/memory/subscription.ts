/**
 * A subscription: a position in a topic's log shared by its consumers (one for a private subscription,
 * several for a group or a shared durable one), with at-least-once bookkeeping. Each consumer has its own
 * outstanding deliveries (so a consumer that leaves hands exactly its own back), the subscription has the
 * cursor and a queue of messages waiting for redelivery, which go out before new ones.
 */
import { performance } from 'node:perf_hooks';
import type { Consumer, SubscriptionHandle } from '../backend.ts';
import type { Faults } from '../../common/faults.ts';
import type { MessageLog } from './log.ts';
import type { MemoryCounters } from './counters.ts';

/** What a subscription needs from its topic and backend. */
export interface SubscriptionHost {
  readonly log: MessageLog;
  /** Highest sequence number released for delivery (lags the log only under `TIDEMARK_FAULT_DELAY_MS`). */
  readonly visible: number;
  readonly counters: MemoryCounters;
  readonly faults: Faults;
  /** Called when a consumer in ack mode attaches or leaves, so the timeout scan knows whom to check. */
  track(member: Member, on: boolean): void;
  /** Called when the last consumer left: the topic drops a non-durable subscription, parks a durable one. */
  orphaned(sub: Subscription): void;
}

/** One consumer attached to a subscription; it is the handle the transport holds. */
export class Member implements SubscriptionHandle {
  /** Outstanding deliveries: seq → ack deadline (integer ms on the performance clock), in delivery order. */
  readonly inflight = new Map<number, number>();
  /** Not delivering: new (until the first resume) or its consumer reported being full. */
  paused = true;
  closed = false;

  constructor(
    readonly sub: Subscription,
    readonly consumer: Consumer,
    /** Manual ack mode; false: a delivery is finished once handed over. */
    readonly ackMode: boolean,
    readonly prefetch: number,
    readonly ackTimeoutMs: number,
  ) {}

  /** Can this consumer take one more delivery now? */
  canTake(): boolean {
    return !this.paused && (!this.ackMode || this.inflight.size < this.prefetch);
  }

  ack(seq: number): boolean {
    return !this.closed && this.sub.settle(this, seq, true);
  }

  nack(seq: number): boolean {
    return !this.closed && this.sub.settle(this, seq, false);
  }

  resume(): void {
    if (this.closed) return;
    this.paused = false;
    this.sub.pump();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sub.detach(this);
  }
}

export class Subscription {
  readonly members: Member[] = [];
  /** Next sequence number never delivered to this subscription. */
  cursor: number;
  /** Messages returned by nack, timeout or a leaving consumer, in the order they came back. */
  private retry: number[] = [];
  private retryHead = 0;
  /** Deliveries made so far, only for messages that came back (most messages never do, so no entry). */
  private readonly attempts = new Map<number, number>();
  /** Round-robin position among members. */
  private rr = 0;
  private pumping = false;
  /** performance.now() when the last consumer left (durable subscriptions only), else undefined. */
  detachedAt: number | undefined = undefined;

  constructor(
    readonly key: string,
    readonly durable: boolean,
    private readonly host: SubscriptionHost,
  ) {
    // Starts at the next message: it is counted as pending for this subscription from then on.
    this.cursor = host.log.nextSeq;
  }

  /** Messages waiting for this subscription (returned ones plus never delivered ones). */
  get backlog(): number {
    return this.retry.length - this.retryHead + (this.host.log.last - this.cursor + 1);
  }

  /** Adds a consumer (paused until its first resume). */
  attach(consumer: Consumer, ackMode: boolean, prefetch: number, ackTimeoutMs: number): Member {
    const member = new Member(this, consumer, ackMode, prefetch, ackTimeoutMs);
    this.members.push(member);
    this.detachedAt = undefined;
    if (ackMode) this.host.track(member, true);
    return member;
  }

  /**
   * Delivers what is waiting to consumers that can take it, round robin. Re-entrant calls (a consumer that
   * acks synchronously inside `deliver`) return at once: the running loop sees the freed credit.
   */
  pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      const log = this.host.log;
      let now = -1;
      for (;;) {
        const fromRetry = this.retryHead < this.retry.length;
        if (!fromRetry && this.cursor > this.host.visible) break;
        const member = this.pick();
        if (member === undefined) break;
        let seq: number;
        if (fromRetry) {
          seq = this.retry[this.retryHead++]!;
          if (this.retryHead === this.retry.length) {
            this.retry = [];
            this.retryHead = 0;
          }
        } else {
          seq = this.cursor++;
        }
        if (now < 0) now = performance.now();
        this.deliver(member, seq, now, log);
      }
    } finally {
      this.pumping = false;
    }
  }

  /** The next member that can take a delivery, round robin; undefined when none can. */
  private pick(): Member | undefined {
    const members = this.members;
    const n = members.length;
    if (n === 1) return members[0]!.canTake() ? members[0] : undefined;
    for (let i = 0; i < n; i++) {
      const index = (this.rr + i) % n;
      const m = members[index]!;
      if (m.canTake()) {
        this.rr = (index + 1) % n;
        return m;
      }
    }
    return undefined;
  }

  /** One delivery: the broker's operation, subject to the drop and CPU faults. */
  private deliver(member: Member, seq: number, now: number, log: MessageLog): void {
    const message = log.get(seq);
    if (message === undefined) return; // released meanwhile (cannot happen while pending; defensive)
    const h = this.host;
    if (h.faults.shouldDrop()) {
      // Models a broker that loses a message: it believes it was delivered and acknowledged.
      h.counters.droppedByFault++;
      this.finish(seq);
      return;
    }
    h.faults.burn();
    let attempt = 1;
    if (this.attempts.size > 0) {
      const previous = this.attempts.get(seq);
      if (previous !== undefined) {
        attempt = previous + 1;
        this.attempts.set(seq, attempt);
        h.counters.redelivered++;
      }
    }
    // Integer deadline: a small integer Map value is stored inline, a fractional one would be boxed.
    if (member.ackMode) member.inflight.set(seq, Math.ceil(now + member.ackTimeoutMs));
    h.counters.delivered++;
    const more = member.consumer.deliver(message, attempt);
    if (!member.ackMode) this.finish(seq);
    if (!more) member.paused = true;
  }

  /** The subscription is done with `seq`. */
  private finish(seq: number): void {
    if (this.attempts.size > 0) this.attempts.delete(seq);
    this.host.log.done(seq);
  }

  /** Queues `seq` for redelivery, remembering that it was delivered once more. */
  private requeue(seq: number): void {
    this.attempts.set(seq, this.attempts.get(seq) ?? 1);
    this.retry.push(seq);
  }

  private hasWork(): boolean {
    return this.retryHead < this.retry.length || this.cursor <= this.host.visible;
  }

  /** Ack (`ok`) or nack of one outstanding delivery of `member`. */
  settle(member: Member, seq: number, ok: boolean): boolean {
    const c = this.host.counters;
    if (!member.inflight.delete(seq)) {
      c.unknownAcks++;
      return false;
    }
    if (ok) {
      c.acked++;
      this.finish(seq);
    } else {
      c.nacked++;
      this.requeue(seq);
    }
    if (this.hasWork()) this.pump();
    return true;
  }

  /**
   * Returns `member`'s deliveries whose deadline passed. Deadlines grow in delivery order and the map keeps
   * that order, so the scan stops at the first one still running.
   * @returns how many came back
   */
  expire(member: Member, now: number): number {
    let n = 0;
    for (const [seq, deadline] of member.inflight) {
      if (deadline > now) break;
      member.inflight.delete(seq);
      this.requeue(seq);
      n++;
    }
    if (n > 0) {
      this.host.counters.ackTimeouts += n;
      this.pump();
    }
    return n;
  }

  /** A consumer leaves: its outstanding deliveries come back for the others (or the next consumer of a durable subscription). */
  detach(member: Member): void {
    const i = this.members.indexOf(member);
    if (i < 0) return;
    this.members.splice(i, 1);
    if (member.ackMode) this.host.track(member, false);
    const back = [...member.inflight.keys()].sort((a, b) => a - b);
    member.inflight.clear();
    for (const seq of back) this.requeue(seq);
    if (this.members.length === 0) this.host.orphaned(this);
    else this.pump();
  }

  /** The subscription goes away: it finishes every message it still holds, so the log can release them. */
  release(): void {
    const log = this.host.log;
    for (let i = this.retryHead; i < this.retry.length; i++) log.done(this.retry[i]!);
    this.retry = [];
    this.retryHead = 0;
    for (const m of this.members) {
      for (const seq of m.inflight.keys()) log.done(seq);
      m.inflight.clear();
    }
    for (let seq = this.cursor; seq <= log.last; seq++) log.done(seq);
    this.cursor = log.nextSeq;
    this.attempts.clear();
  }

  /** Outstanding deliveries of all members (for /stats). */
  get unacked(): number {
    let n = 0;
    for (const m of this.members) n += m.inflight.size;
    return n;
  }
}
