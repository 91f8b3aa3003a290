/**
 * The in-memory backend: topics, per-topic sequence numbers, bounded backlogs, acks, nacks and
 * redelivery, all in this process. Usable without any network (see bench/core-bench.ts).
 */
import { performance } from 'node:perf_hooks';
import type { BackendStats, BrokerBackend, Consumer, Failure, PublishResult, SubscribeRequest, SubscribeResult } from '../backend.ts';
import { createDelayLine, type DelayLine } from '../../common/delay.ts';
import { createFaults, NO_FAULTS, type FaultConfig, type Faults } from '../../common/faults.ts';
import { newMemoryCounters, type MemoryCounters } from './counters.ts';
import { StoredMessage } from './log.ts';
import type { Member, Subscription } from './subscription.ts';
import { Topic, type TopicHost } from './topic.ts';

/** Bounds and timings of the in-memory backend. */
export interface MemoryBackendOptions {
  /** Messages a topic holds (from the oldest one still needed to the newest) before publishes are refused. Default 10000. */
  maxBacklog: number;
  /** Message bytes (publish frame sizes) a topic holds before publishes are refused. Default 16 MiB. */
  maxBacklogBytes: number;
  /** Topics alive at once (idle ones included until forgotten). Default 10000. */
  maxTopics: number;
  /** Durable subscriptions alive at once. Default 10000. */
  maxDurable: number;
  /** A durable subscription without consumer is removed after this long, ms. Default 60000. */
  durableTtlMs: number;
  /** A topic without subscription or message is forgotten after this long (its numbering restarts at 1), ms. Default 30000. */
  topicIdleMs: number;
  /** Interval of the ack-timeout scan, ms: a delivery is redelivered between its timeout and timeout + scanMs. Default 50. */
  scanMs: number;
  /** Fault knobs (error rate on publish; drop, CPU and delay per delivery). Default none. */
  faults: FaultConfig;
  /** Uniform [0,1) source for the error and drop faults. Default `Math.random`. */
  random: () => number;
}

export const MEMORY_DEFAULTS = {
  maxBacklog: 10_000,
  maxBacklogBytes: 16 * 1024 * 1024,
  maxTopics: 10_000,
  maxDurable: 10_000,
  durableTtlMs: 60_000,
  topicIdleMs: 30_000,
  scanMs: 50,
} as const;

/** Housekeeping (durable expiry, idle topics) runs at most this often, ms. */
const HOUSEKEEPING_MS = 1000;

const fail = (code: Failure['code'], message: string): Failure => ({ ok: false, code, message });

export class MemoryBackend implements BrokerBackend, TopicHost {
  readonly name = 'memory';
  readonly counters: MemoryCounters = newMemoryCounters();
  readonly faults: Faults;
  private readonly options: MemoryBackendOptions;
  private readonly topics = new Map<string, Topic>();
  /** Consumers in ack mode: the timeout scan checks their outstanding deliveries. */
  private readonly ackMembers = new Set<Member>();
  /** Durable subscriptions without consumer, with their topic. */
  private readonly parkedSubs = new Map<Subscription, Topic>();
  private durableCount = 0;
  private privateKeys = 0;
  private readonly delay: DelayLine | undefined;
  private readonly scanner: NodeJS.Timeout;
  private lastHousekeeping = performance.now();
  private closed = false;

  /** @param overrides any option; the rest take {@link MEMORY_DEFAULTS} and no faults */
  constructor(overrides: Partial<MemoryBackendOptions> = {}) {
    this.options = { ...MEMORY_DEFAULTS, faults: NO_FAULTS, random: Math.random, ...overrides };
    this.faults = createFaults(this.options.faults, this.options.random);
    this.delay = this.options.faults.delayMs > 0 ? createDelayLine(this.options.faults.delayMs) : undefined;
    this.scanner = setInterval(() => this.scan(), this.options.scanMs);
    this.scanner.unref();
  }

  publish(topicName: string, id: string, cid: string | undefined, payload: unknown, bytes: number): PublishResult {
    if (this.closed) return fail('shutting_down', 'the broker is shutting down; publish to a running instance');
    if (this.faults.shouldFail()) {
      this.counters.errorsInjected++;
      return fail('injected', `injected fault: TIDEMARK_FAULT_ERROR_RATE=${this.options.faults.errorRate} refuses this share of publishes (not a bug in the broker)`);
    }
    const topic = this.topicFor(topicName);
    if (topic === undefined) return this.topicLimit();
    const log = topic.log;
    const o = this.options;
    if (log.size >= o.maxBacklog || log.bytes + bytes > o.maxBacklogBytes) {
      this.counters.backlogFull++;
      return fail(
        'backlog_full',
        `topic "${topicName}" holds ${log.size} messages (${log.bytes} bytes) that its subscriptions have not finished; ` +
          `the bound is ${o.maxBacklog} messages (TIDEMARK_BROKER_MAX_BACKLOG) and ${o.maxBacklogBytes} bytes (TIDEMARK_BROKER_MAX_BACKLOG_BYTES). ` +
          'Retry later, consume or ack faster, or remove idle durable subscriptions.',
      );
    }
    const now = performance.now();
    const t = performance.timeOrigin + now;
    const seq = log.nextSeq;
    // The topic's own name string, not the caller's: a held message should not keep a copy (or a frame slice) alive.
    log.append(new StoredMessage(topic.name, seq, id, cid, t, payload, bytes, topic.fanout));
    topic.lastActive = now;
    this.counters.published++;
    if (this.delay === undefined) topic.reveal(seq);
    else this.delay.schedule(() => topic.reveal(seq));
    return { ok: true, seq, t };
  }

  subscribe(request: SubscribeRequest, consumer: Consumer): SubscribeResult {
    if (this.closed) return fail('shutting_down', 'the broker is shutting down; subscribe on a running instance');
    if (request.group !== undefined && request.durable !== undefined) {
      return fail('conflict', 'give either group or durable, not both: consumers subscribing with the same durable name already share it like a group');
    }
    const topic = this.topicFor(request.topic);
    if (topic === undefined) return this.topicLimit();
    const key = request.durable !== undefined ? `d:${request.durable}` : request.group !== undefined ? `g:${request.group}` : `p:${++this.privateKeys}`;
    let sub = topic.subs.get(key);
    const resumed = sub !== undefined;
    if (sub === undefined) {
      if (request.durable !== undefined) {
        if (this.durableCount >= this.options.maxDurable) {
          return fail('limit', `too many durable subscriptions: the limit is ${this.options.maxDurable} (TIDEMARK_BROKER_MAX_DURABLE); reuse names or let idle ones expire (TIDEMARK_BROKER_DURABLE_TTL_MS)`);
        }
        this.durableCount++;
      }
      sub = topic.addSubscription(key, request.durable !== undefined);
    } else if (sub.detachedAt !== undefined) {
      this.parked(sub, topic, false);
    }
    const backlog = sub.backlog;
    const handle = sub.attach(consumer, request.ack, request.prefetch, request.ackTimeoutMs);
    return { ok: true, handle, resumed, backlog };
  }

  track(member: Member, on: boolean): void {
    if (on) this.ackMembers.add(member);
    else this.ackMembers.delete(member);
  }

  parked(sub: Subscription, topic: Topic, on: boolean): void {
    if (on) this.parkedSubs.set(sub, topic);
    else {
      this.parkedSubs.delete(sub);
      sub.detachedAt = undefined;
    }
  }

  private topicFor(name: string): Topic | undefined {
    const existing = this.topics.get(name);
    if (existing !== undefined) return existing;
    if (this.topics.size >= this.options.maxTopics) return undefined;
    const topic = new Topic(name, this);
    this.topics.set(name, topic);
    return topic;
  }

  private topicLimit(): Failure {
    return fail('limit', `too many topics: the limit is ${this.options.maxTopics} (TIDEMARK_BROKER_MAX_TOPICS); reuse topic names (an idle topic is forgotten after ${this.options.topicIdleMs} ms)`);
  }

  /** Redelivers timed-out deliveries; once a second also expires parked durable subscriptions and idle topics. */
  private scan(): void {
    const now = performance.now();
    for (const m of this.ackMembers) if (m.inflight.size > 0) m.sub.expire(m, now);
    if (now - this.lastHousekeeping < HOUSEKEEPING_MS) return;
    this.lastHousekeeping = now;
    for (const [sub, topic] of this.parkedSubs) {
      if (sub.detachedAt !== undefined && now - sub.detachedAt >= this.options.durableTtlMs) {
        this.parkedSubs.delete(sub);
        topic.removeSubscription(sub);
        this.durableCount--;
        this.counters.durableExpired++;
      }
    }
    for (const [name, topic] of this.topics) {
      if (topic.idle && now - topic.lastActive >= this.options.topicIdleMs) this.topics.delete(name);
    }
  }

  stats(): BackendStats {
    let subscriptions = 0;
    let consumers = 0;
    let backlogMessages = 0;
    let backlogBytes = 0;
    let unacked = 0;
    for (const topic of this.topics.values()) {
      backlogMessages += topic.log.size;
      backlogBytes += topic.log.bytes;
      for (const sub of topic.subscriptions) {
        subscriptions++;
        consumers += sub.members.length;
        unacked += sub.unacked;
      }
    }
    return {
      ...this.counters,
      topics: this.topics.size,
      subscriptions,
      durable: this.durableCount,
      durableDetached: this.parkedSubs.size,
      consumers,
      backlogMessages,
      backlogBytes,
      unacked,
    };
  }

  close(): void {
    this.closed = true;
    clearInterval(this.scanner);
    this.delay?.clear();
    this.topics.clear();
    this.ackMembers.clear();
    this.parkedSubs.clear();
  }
}
