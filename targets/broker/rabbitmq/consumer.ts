/**
 * One consumer of a RabbitMQ queue, as the subscription handle the WebSocket layer holds. It owns one channel
 * (so prefetch and delivery tags are its own) and always consumes in manual-ack mode:
 *
 * - Pausing: RabbitMQ cannot be told to stop pushing to a consumer (it refuses client `channel.flow`, and
 *   amqplib does not implement it), so the handle pauses locally: deliveries that arrive while it is paused
 *   (new, or its consumer returned false) wait here and go out on `resume()`. Prefetch bounds how many wait.
 * - No-ack mode is emulated for the same reason: a `noAck` consumer could not be paused at all, and a slow
 *   client would be cut by the session's buffer bound instead of holding the backlog in RabbitMQ. A delivery
 *   is acked to RabbitMQ right after it was handed over (one `multiple` ack per event-loop turn), so it is
 *   at-most-once to the client as the protocol says; the prefetch is the window.
 * - Ack mode: the protocol's seq (from the message body) maps to the delivery per handle; ack → basic.ack,
 *   nack → basic.nack with requeue. RabbitMQ has no per-delivery redelivery timeout (its consumer_timeout is
 *   server-wide and closes the channel), so the backend's scan nacks (requeue) deliveries whose `ackTimeoutMs`
 *   passed: the same redelivery, through RabbitMQ.
 */
import { performance } from 'node:perf_hooks';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { Consumer, SubscriptionHandle } from '../backend.ts';
import type { Faults } from '../../common/faults.ts';
import type { MemoryCounters } from '../memory/counters.ts';
import { decodeEnvelope } from '../envelope.ts';

/** What a consumer needs from its backend. */
export interface ConsumerHost {
  readonly counters: MemoryCounters;
  readonly faults: Faults;
  /** Call after a channel operation: the turn's frames leave in one write (write-batch.ts). */
  batchWrites(): void;
  /** Called once when the handle stops (closed, or its channel or consumer went away): forget it. */
  detached(handle: RabbitConsumer): void;
  /** The server took the channel or consumer away while the handle was open. */
  lost(handle: RabbitConsumer, why: string): void;
}

interface Outstanding {
  msg: ConsumeMessage;
  /** performance.now() after which the scan returns it. */
  deadline: number;
}

export class RabbitConsumer implements SubscriptionHandle {
  /** Ack mode: deliveries handed over and not settled, by seq, in delivery order (so deadlines grow). */
  readonly inflight = new Map<number, Outstanding>();
  /** Arrived while paused, not handed over yet (RabbitMQ counts them as unacked too). */
  private waiting: ConsumeMessage[] = [];
  private waitingHead = 0;
  private paused = true;
  private pumping = false;
  /** close() was called. */
  private closed = false;
  /** No more deliveries: closed or lost; bookkeeping released. */
  private gone = false;
  /** No-ack mode: the newest delivery handed over and not yet acked to RabbitMQ. */
  private ackUpTo: ConsumeMessage | undefined;
  private lastError: string | undefined;

  constructor(
    readonly channel: Channel,
    private readonly consumer: Consumer,
    /** The queue consumed from: the subscription's key in the backend. */
    readonly queue: string,
    readonly ackMode: boolean,
    private readonly ackTimeoutMs: number,
    private readonly host: ConsumerHost,
  ) {
    channel.on('error', (err: Error) => {
      this.lastError = err.message;
    });
    channel.on('close', () => this.lose(this.lastError ?? 'its channel closed'));
  }

  /** amqplib's consume callback; null when RabbitMQ cancelled the consumer (its queue was deleted). */
  readonly onDelivery = (msg: ConsumeMessage | null): void => {
    if (msg === null) {
      this.lose('RabbitMQ cancelled the consumer (its queue was deleted)');
      this.channel.close().catch(() => {});
      return;
    }
    if (this.gone) return; // the channel is closing: RabbitMQ requeues it
    if (this.paused || this.waitingHead < this.waiting.length) this.waiting.push(msg);
    else this.handOver(msg);
  };

  private handOver(msg: ConsumeMessage): void {
    const h = this.host;
    const c = h.counters;
    const message = decodeEnvelope(msg.fields.routingKey, msg.content);
    if (message === undefined) {
      // Not written by this adapter (someone published to the exchange by hand): discard, do not requeue.
      this.send(() => this.channel.nack(msg, false, false));
      return;
    }
    if (h.faults.shouldDrop()) {
      // Models a broker that loses a message: treated as delivered and acknowledged.
      c.droppedByFault++;
      this.finish(msg);
      return;
    }
    h.faults.burn();
    // Classic queues give no delivery count, only whether RabbitMQ delivered it before: 2 stands for "again".
    // A message that only waited in a paused handle and came back (channel closed) counts as delivered before.
    const attempt = msg.fields.redelivered ? 2 : 1;
    if (attempt > 1) c.redelivered++;
    if (this.ackMode) {
      const clash = this.inflight.get(message.seq);
      if (clash !== undefined) {
        // The same seq twice on one consumer: only when a durable queue holds messages from an earlier broker
        // process (numbering restarted). Requeue the older one rather than lose track of it.
        this.inflight.delete(message.seq);
        this.requeue(clash.msg);
      }
      this.inflight.set(message.seq, { msg, deadline: performance.now() + this.ackTimeoutMs });
    } else {
      this.finish(msg);
    }
    c.delivered++;
    if (!this.consumer.deliver(message, attempt)) this.paused = true;
  }

  /** Done with `msg` without a client ack: acked to RabbitMQ now (ack mode) or with the turn's batch (no-ack mode). */
  private finish(msg: ConsumeMessage): void {
    if (this.ackMode) {
      this.send(() => this.channel.ack(msg));
      return;
    }
    // Handed over in delivery-tag order, so one `multiple` ack up to the newest settles every earlier one.
    if (this.ackUpTo === undefined) setImmediate(this.flushAcks);
    this.ackUpTo = msg;
  }

  private readonly flushAcks = (): void => {
    const msg = this.ackUpTo;
    this.ackUpTo = undefined;
    if (msg !== undefined && !this.gone) this.send(() => this.channel.ack(msg, true));
  };

  private requeue(msg: ConsumeMessage): void {
    this.send(() => this.channel.nack(msg, false, true));
  }

  /** A channel method; throws only when the channel closed meanwhile, and then RabbitMQ requeued the delivery anyway. */
  private send(op: () => void): void {
    try {
      op();
      this.host.batchWrites();
    } catch {
      // the 'close' handler releases the handle
    }
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.paused && !this.gone && this.waitingHead < this.waiting.length) {
        const msg = this.waiting[this.waitingHead++]!;
        if (this.waitingHead === this.waiting.length) {
          this.waiting = [];
          this.waitingHead = 0;
        }
        this.handOver(msg);
      }
    } finally {
      this.pumping = false;
    }
  }

  ack(seq: number): boolean {
    return this.settle(seq, true);
  }

  nack(seq: number): boolean {
    return this.settle(seq, false);
  }

  private settle(seq: number, ok: boolean): boolean {
    if (this.closed) return false;
    const c = this.host.counters;
    const entry = this.inflight.get(seq);
    if (entry === undefined) {
      c.unknownAcks++;
      return false;
    }
    this.inflight.delete(seq);
    if (ok) {
      c.acked++;
      this.send(() => this.channel.ack(entry.msg));
    } else {
      c.nacked++;
      this.requeue(entry.msg);
    }
    return true;
  }

  /**
   * Returns deliveries whose ack timeout passed to RabbitMQ (nack with requeue). Deadlines grow in map order,
   * so the scan stops at the first one still running.
   * @returns how many went back
   */
  expire(now: number): number {
    let n = 0;
    for (const [seq, entry] of this.inflight) {
      if (entry.deadline > now) break;
      this.inflight.delete(seq);
      this.requeue(entry.msg);
      n++;
    }
    return n;
  }

  resume(): void {
    if (this.closed) return;
    this.paused = false;
    this.pump();
  }

  /**
   * Detaches: closing the channel makes RabbitMQ requeue every unacked delivery (outstanding or waiting here)
   * for the queue's other consumers, or the durable queue's next one; private and group queues are
   * auto-delete and go with their last consumer.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.gone) return;
    this.flushAcks(); // no-ack: what was handed over is done and must not come back
    this.release();
    this.channel.close().catch(() => {});
  }

  /** Backend shutdown: settles what no-ack mode handed over and forgets the rest; the connection close requeues it. */
  abandon(): void {
    this.closed = true;
    if (this.gone) return;
    this.flushAcks();
    this.release();
  }

  private lose(why: string): void {
    if (this.gone) return;
    this.release();
    this.host.lost(this, why);
  }

  private release(): void {
    this.gone = true;
    this.ackUpTo = undefined;
    this.inflight.clear();
    this.waiting = [];
    this.waitingHead = 0;
    this.host.detached(this);
  }
}
