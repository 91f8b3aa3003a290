/** A topic: its log, its subscriptions, and publish → fan-out. */
import { performance } from 'node:perf_hooks';
import type { Faults } from '../../common/faults.ts';
import type { MemoryCounters } from './counters.ts';
import { MessageLog } from './log.ts';
import { Subscription, type Member, type SubscriptionHost } from './subscription.ts';

/** What a topic needs from its backend. */
export interface TopicHost {
  readonly counters: MemoryCounters;
  readonly faults: Faults;
  track(member: Member, on: boolean): void;
  /** A durable subscription lost its last consumer (true) or got one back (false). */
  parked(sub: Subscription, topic: Topic, on: boolean): void;
}

export class Topic implements SubscriptionHost {
  readonly log = new MessageLog();
  readonly subs = new Map<string, Subscription>();
  /** The same subscriptions as an array: the publish path iterates it without an iterator object. */
  private list: Subscription[] = [];
  visible = 0;
  /** performance.now() of the last publish or subscription change (idle topics are forgotten after a while). */
  lastActive = performance.now();

  constructor(
    readonly name: string,
    private readonly host: TopicHost,
  ) {}

  get counters(): MemoryCounters {
    return this.host.counters;
  }

  get faults(): Faults {
    return this.host.faults;
  }

  track(member: Member, on: boolean): void {
    this.host.track(member, on);
  }

  /** Number of subscriptions: each new message is pending for all of them. */
  get fanout(): number {
    return this.list.length;
  }

  /** Creates a subscription (it starts at the next message). */
  addSubscription(key: string, durable: boolean): Subscription {
    const sub = new Subscription(key, durable, this);
    this.subs.set(key, sub);
    this.list.push(sub);
    this.lastActive = performance.now();
    return sub;
  }

  /** Drops a subscription and everything it held. */
  removeSubscription(sub: Subscription): void {
    if (this.subs.get(sub.key) !== sub) return;
    this.subs.delete(sub.key);
    this.list = this.list.filter((s) => s !== sub);
    sub.release();
    this.lastActive = performance.now();
  }

  orphaned(sub: Subscription): void {
    if (sub.durable) {
      sub.detachedAt = performance.now();
      this.host.parked(sub, this, true);
    } else {
      this.removeSubscription(sub);
    }
  }

  /** Releases messages up to `seq` for delivery and lets every subscription deliver. */
  reveal(seq: number): void {
    this.visible = seq;
    const list = this.list;
    for (let i = 0; i < list.length; i++) list[i]!.pump();
  }

  /** No subscription and nothing held: the topic can be forgotten once idle long enough. */
  get idle(): boolean {
    return this.list.length === 0 && this.log.size === 0;
  }

  /** Subscriptions as an array (for stats and the timeout scan). */
  get subscriptions(): readonly Subscription[] {
    return this.list;
  }
}
