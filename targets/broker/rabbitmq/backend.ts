/**
 * The broker backend on a real RabbitMQ (`TIDEMARK_BROKER_BACKEND=rabbitmq`). Publishes go through one confirm
 * channel to a direct exchange (routing key = topic), so the protocol's confirm is RabbitMQ's basic.ack and a
 * full queue's basic.nack is `backlog_full`. Each subscription is a queue (private, group or durable:
 * queues.ts) consumed on its own channel (consumer.ts).
 *
 * This process numbers messages per topic and stamps their accept time before publishing; the number and
 * stamp travel in the body (envelope.ts). The numbering is this process's: several broker processes on one
 * RabbitMQ each number their own publishes.
 *
 * Where it differs from the memory backend (RabbitMQ's semantics):
 * - The backlog bound is per subscription queue, and `x-max-length` counts ready messages only: a queue holds
 *   up to maxBacklog plus its consumers' prefetch. A refused publish keeps its seq (a gap for subscribers), and
 *   subscriptions whose queue had room still get it (RabbitMQ nacks when any queue refused).
 * - `attempt` is 1 or 2 (RabbitMQ's redelivered flag; classic queues keep no count).
 * - The server's consumer_timeout (30 min by default) closes a channel whose delivery stays unacked longer;
 *   an ackTimeoutMs above it cannot be reached.
 * - No reconnect: after losing the server every operation answers `unavailable` until the broker restarts.
 * - backlogMessages/backlogBytes read 0; TIDEMARK_FAULT_DELAY_MS is not applied (error, drop and CPU faults are).
 */
import { performance } from 'node:perf_hooks';
import type { ChannelModel, ConfirmChannel, Channel, Options } from 'amqplib';
import type { BackendStats, BrokerBackend, Consumer, Failure, MaybePromise, PublishResult, SubscribeRequest, SubscribeResult } from '../backend.ts';
import { backendServerUrl, redactUrl } from '../backend-servers.ts';
import type { BrokerOptions } from '../options.ts';
import { nowEpochMs } from '../../common/clock.ts';
import { createFaults, type Faults } from '../../common/faults.ts';
import { newMemoryCounters, type MemoryCounters } from '../memory/counters.ts';
import { amqpCode, CLOSE_TIMEOUT_MS, openRabbitSession, reason, START_HINT, within } from './connect.ts';
import { RabbitConsumer, type ConsumerHost } from './consumer.ts';
import { encodeEnvelope } from '../envelope.ts';
import { EXCHANGE, queuePlan, type QueueKind } from './queues.ts';
import { writeBatcher } from './write-batch.ts';

/**
 * Persistent: RabbitMQ writes a persistent message to disk only in durable queues (durable subscriptions,
 * which should keep it like the queue), and treats it as transient in the others, so one flag fits all.
 */
const PUBLISH_OPTIONS: Options.Publish = { persistent: true };

/** basic.qos prefetch-count is 16 bits: the protocol's maximum (65536) is one more. */
const MAX_PREFETCH = 65_535;

/** Housekeeping (durable expiry, idle topics) runs at most this often, ms. */
const HOUSEKEEPING_MS = 1000;

/** RabbitMQ's default channel_max, used when the connection does not say. */
const DEFAULT_CHANNEL_MAX = 2047;

const NOT_FOUND = 404;
const RESOURCE_LOCKED = 405;
const PRECONDITION_FAILED = 406;

const fail = (code: Failure['code'], message: string): Failure => ({ ok: false, code, message });

interface TopicState {
  /** Last seq given out; the next publish gets one more. */
  lastSeq: number;
  /** performance.now() of the last publish or subscribe. */
  lastActive: number;
}

/** A subscription this process knows of: a queue with its consumers here. */
interface LocalSubscription {
  kind: QueueKind;
  topic: string;
  members: Set<RabbitConsumer>;
  /** Durable only: performance.now() when its last consumer here left. */
  detachedAt: number | undefined;
}

/** A pending publish's answer; returns false when it was answered already (connection loss, shutdown). */
type Settle = (result: PublishResult) => boolean;

/**
 * Connects to `backendServerUrl('rabbitmq', env)` and declares the exchange.
 * @throws Error naming the URL and `npm run backend -- start rabbitmq` when RabbitMQ does not answer in time
 */
export async function openRabbitMqBackend(options: BrokerOptions, env: NodeJS.ProcessEnv = process.env): Promise<BrokerBackend> {
  const url = backendServerUrl('rabbitmq', env);
  const { model, publisher } = await openRabbitSession(url);
  return new RabbitMqBackend(model, publisher, redactUrl(url), options);
}

export class RabbitMqBackend implements BrokerBackend, ConsumerHost {
  readonly name = 'rabbitmq';
  readonly counters: MemoryCounters = newMemoryCounters();
  readonly faults: Faults;
  readonly batchWrites: () => void;
  private readonly topics = new Map<string, TopicState>();
  /** By queue name. */
  private readonly subs = new Map<string, LocalSubscription>();
  private readonly ackConsumers = new Set<RabbitConsumer>();
  private readonly pending = new Set<Settle>();
  private durableCount = 0;
  /** Channels open or opening on the connection, the publisher's included. */
  private channels = 1;
  private readonly channelMax: number;
  private readonly scanner: NodeJS.Timeout;
  private lastHousekeeping = performance.now();
  /** Why the connection is gone; set once, never cleared (no reconnect). */
  private lostReason: string | undefined;
  private lastError: string | undefined;
  private closing: Promise<void> | undefined;

  /** @param url for messages (password masked) */
  constructor(
    private readonly model: ChannelModel,
    private readonly publisher: ConfirmChannel,
    private readonly url: string,
    private readonly options: BrokerOptions,
  ) {
    this.faults = createFaults(options.faults, options.random);
    this.batchWrites = writeBatcher(model);
    // amqplib's typings do not declare the negotiated channel_max that the connection object carries.
    const negotiated = (model.connection as { channelMax?: unknown }).channelMax;
    this.channelMax = typeof negotiated === 'number' && negotiated > 0 ? negotiated : DEFAULT_CHANNEL_MAX;
    model.on('error', (err: Error) => {
      this.lastError = reason(err);
    });
    model.on('close', (err?: Error) => this.lose(err !== undefined ? reason(err) : (this.lastError ?? 'the connection closed')));
    publisher.on('error', (err: Error) => {
      this.lastError = reason(err);
    });
    // Without the publishing channel nothing can be accepted: as good as a lost connection. Deferred: when the
    // connection goes, its channels close first and the connection's 'close', with the reason, comes right after.
    publisher.on('close', () => setImmediate(() => this.lose(`the publishing channel closed (${this.lastError ?? 'no reason given'})`)));
    this.scanner = setInterval(() => this.scan(), options.scanMs);
    this.scanner.unref();
  }

  private get closed(): boolean {
    return this.closing !== undefined;
  }

  private unavailable(): Failure {
    return fail(
      'unavailable',
      `RabbitMQ at ${this.url} is unavailable (${this.lostReason ?? 'unknown reason'}): ${START_HINT}, then restart the broker (the rabbitmq backend does not reconnect)`,
    );
  }

  /**
   * Refusal common to publish and subscribe, or undefined when the backend can serve.
   * @param retry what to do instead, e.g. "publish to a running instance"
   */
  private refusal(retry: string): Failure | undefined {
    if (this.closed) return fail('shutting_down', `the broker is shutting down; ${retry}`);
    if (this.lostReason !== undefined) return this.unavailable();
    return undefined;
  }

  publish(topic: string, id: string, cid: string | undefined, payload: unknown, bytes: number): MaybePromise<PublishResult> {
    // `_bytes` (the frame size) is not used: RabbitMQ's byte bound counts the AMQP body, close to it.
    const refused = this.refusal('publish to a running instance');
    if (refused !== undefined) return refused;
    if (this.faults.shouldFail()) {
      this.counters.errorsInjected++;
      return fail('injected', `injected fault: TIDEMARK_FAULT_ERROR_RATE=${this.options.faults.errorRate} refuses this share of publishes (not a bug in the broker)`);
    }
    const state = this.topicFor(topic);
    if (state === undefined) return this.topicLimit();
    const seq = ++state.lastSeq;
    const t = nowEpochMs();
    state.lastActive = performance.now();
    const body = encodeEnvelope({ seq, id, cid, t, bytes, data: payload });
    return new Promise<PublishResult>((resolve) => {
      const settle: Settle = (result) => {
        if (!this.pending.delete(settle)) return false;
        resolve(result);
        return true;
      };
      this.pending.add(settle);
      try {
        this.publisher.publish(EXCHANGE, topic, body, PUBLISH_OPTIONS, (err: unknown) => {
          if (err === null || err === undefined) {
            if (settle({ ok: true, seq, t })) this.counters.published++;
          } else if (err instanceof Error && err.message === 'message nacked') {
            // amqplib's error for basic.nack; RabbitMQ nacks when a queue bound to the topic is full (reject-publish).
            if (settle(this.backlogFull(topic, seq))) this.counters.backlogFull++;
          } else {
            // amqplib's 'channel closed', for unconfirmed publishes when the channel or connection goes; the
            // connection's own 'close' (with the reason) follows in this turn and answers every pending publish.
            setImmediate(() => {
              this.lose(reason(err));
              settle(this.unavailable());
            });
          }
        });
        this.batchWrites();
      } catch (err) {
        this.lose(reason(err));
        settle(this.unavailable());
      }
    });
  }

  private backlogFull(topic: string, seq: number): Failure {
    const o = this.options;
    return fail(
      'backlog_full',
      `RabbitMQ refused the message for topic "${topic}": a subscription's queue is full (${o.maxBacklog} messages waiting, ` +
        `TIDEMARK_BROKER_MAX_BACKLOG, or ${o.maxBacklogBytes} bytes, TIDEMARK_BROKER_MAX_BACKLOG_BYTES). Retry later, consume or ack faster, or remove idle durable subscriptions. ` +
        `Subscriptions whose queue had room did get it, and seq ${seq} stays used.`,
    );
  }

  private topicFor(name: string): TopicState | undefined {
    const existing = this.topics.get(name);
    if (existing !== undefined) return existing;
    if (this.topics.size >= this.options.maxTopics) return undefined;
    const state: TopicState = { lastSeq: 0, lastActive: performance.now() };
    this.topics.set(name, state);
    return state;
  }

  private topicLimit(): Failure {
    return fail('limit', `too many topics: the limit is ${this.options.maxTopics} (TIDEMARK_BROKER_MAX_TOPICS); reuse topic names (an idle topic is forgotten after ${this.options.topicIdleMs} ms)`);
  }

  subscribe(request: SubscribeRequest, consumer: Consumer): MaybePromise<SubscribeResult> {
    const refused = this.refusal('subscribe on a running instance');
    if (refused !== undefined) return refused;
    if (request.group !== undefined && request.durable !== undefined) {
      return fail('conflict', 'give either group or durable, not both: consumers subscribing with the same durable name already share it like a group');
    }
    const state = this.topicFor(request.topic);
    if (state === undefined) return this.topicLimit();
    state.lastActive = performance.now();
    const plan = queuePlan(request, this.options);
    if (plan.kind === 'durable' && !this.subs.has(plan.name) && this.durableCount >= this.options.maxDurable) {
      return fail('limit', `too many durable subscriptions: the limit is ${this.options.maxDurable} (TIDEMARK_BROKER_MAX_DURABLE); reuse names or let idle ones expire (TIDEMARK_BROKER_DURABLE_TTL_MS)`);
    }
    // One channel per consumer, and a subscribe may open a second one (after a failed passive declare).
    if (this.channels + 2 > this.channelMax) {
      return fail('limit', `RabbitMQ allows ${this.channelMax} channels on one connection and each subscription takes one: unsubscribe some, or raise channel_max on the server`);
    }
    const attach = (): Promise<SubscribeResult> => this.attach(request, consumer, plan.kind, plan.name, plan.options);
    return attach()
      .catch((err: unknown) => {
        // A shared queue can vanish between declare and consume (its last consumer left, or it expired): once more.
        if (amqpCode(err) === NOT_FOUND && this.refusal('subscribe on a running instance') === undefined) return attach();
        throw err;
      })
      .catch((err: unknown) => this.subscribeFailure(err, plan.name));
  }

  private async attach(request: SubscribeRequest, consumer: Consumer, kind: QueueKind, name: string, options: Options.AssertQueue): Promise<SubscribeResult> {
    let channel = await this.openChannel();
    try {
      // Members here count too: two subscribes of a new group may both find no queue yet.
      let existed = (this.subs.get(name)?.members.size ?? 0) > 0;
      if (kind !== 'private') {
        try {
          await channel.checkQueue(name);
          existed = true;
        } catch (err) {
          if (amqpCode(err) !== NOT_FOUND) throw err;
          channel = await this.openChannel(); // a failed passive declare closes its channel
        }
      }
      const q = await channel.assertQueue(name, options);
      await channel.bindQueue(q.queue, EXCHANGE, request.topic);
      await channel.prefetch(Math.min(request.prefetch, MAX_PREFETCH));
      const handle = new RabbitConsumer(channel, consumer, q.queue, request.ack, request.ackTimeoutMs, this);
      this.register(handle, kind, request.topic);
      // Consuming starts now; the handle holds deliveries until its first resume().
      await channel.consume(q.queue, handle.onDelivery, { noAck: false });
      const refused = this.refusal('subscribe on a running instance');
      if (refused !== undefined) {
        handle.close();
        return refused;
      }
      return { ok: true, handle, resumed: existed, backlog: q.messageCount };
    } catch (err) {
      channel.close().catch(() => {});
      throw err;
    }
  }

  private async openChannel(): Promise<Channel> {
    this.channels++;
    let channel: Channel;
    try {
      channel = await this.model.createChannel();
    } catch (err) {
      this.channels--;
      throw err;
    }
    channel.on('error', () => {}); // the reason reaches the caller through the failed operation
    channel.on('close', () => this.channels--);
    return channel;
  }

  private subscribeFailure(err: unknown, queue: string): Failure {
    const refused = this.refusal('subscribe on a running instance');
    if (refused !== undefined) return refused;
    const code = amqpCode(err);
    if (code === PRECONDITION_FAILED) {
      return fail(
        'conflict',
        `RabbitMQ has queue "${queue}" with other settings (${reason(err)}): TIDEMARK_BROKER_MAX_BACKLOG, _MAX_BACKLOG_BYTES or _DURABLE_TTL_MS ` +
          'changed since it was declared. Delete it (rabbitmqctl delete_queue) or wait until it expires.',
      );
    }
    if (code === RESOURCE_LOCKED) return fail('conflict', `RabbitMQ refused queue "${queue}": another connection holds it exclusively (${reason(err)})`);
    return fail('unavailable', `RabbitMQ at ${this.url} refused the subscription (${reason(err)}): ${START_HINT} if it is not running`);
  }

  private register(handle: RabbitConsumer, kind: QueueKind, topic: string): void {
    let sub = this.subs.get(handle.queue);
    if (sub === undefined) {
      sub = { kind, topic, members: new Set(), detachedAt: undefined };
      this.subs.set(handle.queue, sub);
      if (kind === 'durable') this.durableCount++;
    }
    sub.members.add(handle);
    sub.detachedAt = undefined;
    if (handle.ackMode) this.ackConsumers.add(handle);
  }

  detached(handle: RabbitConsumer): void {
    this.ackConsumers.delete(handle);
    const sub = this.subs.get(handle.queue);
    if (sub === undefined || !sub.members.delete(handle) || sub.members.size > 0) return;
    // RabbitMQ deletes private and group queues with their last consumer and keeps a durable one for its TTL.
    if (sub.kind === 'durable') sub.detachedAt = performance.now();
    else this.subs.delete(handle.queue);
  }

  lost(handle: RabbitConsumer, why: string): void {
    // A connection loss closes every channel first: report a single subscription only if the connection stays.
    setImmediate(() => {
      if (this.closed || this.lostReason !== undefined) return;
      process.stderr.write(`broker (rabbitmq): the subscription on queue "${handle.queue}" stopped: ${why}\n`);
    });
  }

  /** The connection or publishing channel is gone: every pending and later operation answers `unavailable`. */
  private lose(why: string): void {
    if (this.closed || this.lostReason !== undefined) return;
    this.lostReason = why;
    const failure = this.unavailable();
    for (const settle of [...this.pending]) settle(failure);
    this.model.close().catch(() => {});
  }

  /** Returns timed-out deliveries; once a second also expires detached durable subscriptions and idle topics. */
  private scan(): void {
    const now = performance.now();
    for (const c of this.ackConsumers) if (c.inflight.size > 0) this.counters.ackTimeouts += c.expire(now);
    if (now - this.lastHousekeeping < HOUSEKEEPING_MS) return;
    this.lastHousekeeping = now;
    const inUse = new Set<string>();
    for (const [queue, sub] of this.subs) {
      // RabbitMQ removes the queue itself (x-expires); this only keeps the local count in step.
      if (sub.detachedAt !== undefined && now - sub.detachedAt >= this.options.durableTtlMs) {
        this.subs.delete(queue);
        this.durableCount--;
        this.counters.durableExpired++;
      } else {
        inUse.add(sub.topic);
      }
    }
    // A topic is forgotten (numbering restarts) only when no subscription here may still hold its messages.
    for (const [name, state] of this.topics) {
      if (!inUse.has(name) && now - state.lastActive >= this.options.topicIdleMs) this.topics.delete(name);
    }
  }

  stats(): BackendStats {
    let consumers = 0;
    let durable = 0;
    let durableDetached = 0;
    let unacked = 0;
    for (const sub of this.subs.values()) {
      consumers += sub.members.size;
      for (const m of sub.members) unacked += m.inflight.size;
      if (sub.kind === 'durable') {
        durable++;
        if (sub.members.size === 0) durableDetached++;
      }
    }
    return {
      ...this.counters,
      topics: this.topics.size,
      subscriptions: this.subs.size,
      durable,
      durableDetached,
      consumers,
      // What the queues hold is RabbitMQ's to know: asking would take a round trip per queue.
      backlogMessages: 0,
      backlogBytes: 0,
      unacked,
    };
  }

  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    // Set first: the handlers of the channels and the connection closing below see a shutdown, not a loss.
    this.closing = Promise.resolve();
    clearInterval(this.scanner);
    const failure = fail('shutting_down', 'the broker is shutting down; publish to a running instance');
    for (const settle of [...this.pending]) settle(failure);
    const handles: RabbitConsumer[] = [];
    for (const sub of this.subs.values()) handles.push(...sub.members);
    for (const h of handles) h.abandon(); // the connection close below requeues their unacked deliveries
    this.subs.clear();
    this.topics.clear();
    this.ackConsumers.clear();
    this.durableCount = 0;
    const alive = this.lostReason === undefined;
    this.closing = alive ? within(this.model.close(), CLOSE_TIMEOUT_MS, 'closing the RabbitMQ connection').catch(() => {}) : Promise.resolve();
    return this.closing;
  }
}
