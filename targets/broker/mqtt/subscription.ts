/**
 * One consumer's attachment in the mqtt backend: its own MQTT connection (acks and sessions are per connection),
 * the deliveries received and not yet handed over, and the ones handed over and not yet acked.
 */
import type { IPublishPacket, MqttClient } from 'mqtt';
import type { Consumer, Message, SubscriptionHandle } from '../backend.ts';
import type { MemoryCounters } from '../memory/counters.ts';
import { createDelayLine, type DelayLine } from '../../common/delay.ts';
import type { Faults } from '../../common/faults.ts';
import { sendPuback } from './client.ts';
import { decodeEnvelope } from '../envelope.ts';
import type { SubAccount, TopicState } from './topics.ts';

/** What a subscription needs from the backend. */
export interface SubscriptionHost {
  readonly counters: MemoryCounters;
  readonly faults: Faults;
  /** The consumer is gone: `outstanding` deliveries (never acked) are left to the server session or lost. */
  detach(sub: MqttSubscription, reason: 'closed' | 'lost'): void;
}

export interface SubscriptionSettings {
  ack: boolean;
  prefetch: number;
  delayMs: number;
}

/** A delivery received from the server. */
interface Arrival {
  message: Message;
  attempt: number;
  /** MQTT packet id to PUBACK; 0 for QoS 0. */
  messageId: number;
}

/** A delivery handed over and awaiting ack. `older`: one with the same seq still outstanding (a session from an earlier run). */
interface Outstanding {
  messageId: number;
  bytes: number;
  older: Outstanding | undefined;
}

/** Consumed prefix of the arrival queue dropped past this many entries. */
const COMPACT_AT = 1024;

export class MqttSubscription implements SubscriptionHandle {
  client: MqttClient | undefined;
  private readonly queue: (Arrival | undefined)[] = [];
  private head = 0;
  private readonly outstanding = new Map<number, Outstanding>();
  private paused = true;
  private draining = false;
  private ended = false;
  private readonly delay: DelayLine | undefined;

  /**
   * @param topic the topic subscribed to (its name is every message's topic)
   * @param account the subscription's count of unfinished messages
   */
  constructor(
    private readonly host: SubscriptionHost,
    readonly topic: TopicState,
    readonly account: SubAccount,
    private readonly consumer: Consumer,
    readonly settings: SubscriptionSettings,
  ) {
    this.delay = settings.delayMs > 0 ? createDelayLine(settings.delayMs) : undefined;
  }

  /** The MQTT.js handler for each PUBLISH of this connection (installed before it connects). */
  readonly onPublish = (packet: IPublishPacket): void => {
    if (this.ended) return; // not acked: a durable session redelivers it on resume
    const message = decodeEnvelope(this.topic.name, packet.payload);
    const messageId = packet.qos === 1 ? (packet.messageId ?? 0) : 0;
    if (message === undefined) {
      // Not one of ours (something else published under the prefix): settle it so it does not come back.
      if (messageId !== 0 && this.client !== undefined) sendPuback(this.client, messageId);
      return;
    }
    // MQTT only says "sent before" (DUP, set when a session resumes), not how often.
    const arrival: Arrival = { message, attempt: packet.dup ? 2 : 1, messageId };
    if (this.delay === undefined) this.arrive(arrival);
    else this.delay.schedule(() => this.arrive(arrival));
  };

  private arrive(a: Arrival): void {
    if (this.ended) return;
    this.queue.push(a);
    this.drain();
  }

  /** Hands queued deliveries over while the consumer takes them and, in ack mode, fewer than `prefetch` are unacked. */
  private drain(): void {
    if (this.draining) return; // a consumer acking from inside deliver()
    this.draining = true;
    const { ack, prefetch } = this.settings;
    try {
      while (!this.paused && !this.ended && this.head < this.queue.length) {
        // Mosquitto 2.0.11 does not hold to the Receive Maximum (see backend.ts): prefetch is kept here.
        if (ack && this.outstanding.size >= prefetch) break;
        const a = this.queue[this.head]!;
        this.queue[this.head++] = undefined;
        this.deliver(a);
      }
    } finally {
      this.draining = false;
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > COMPACT_AT && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  /** One delivery: the broker's operation, subject to the drop and CPU faults. */
  private deliver(a: Arrival): void {
    const h = this.host;
    const m = a.message;
    if (h.faults.shouldDrop()) {
      // Models a broker that loses a message: it believes it was delivered and acknowledged.
      h.counters.droppedByFault++;
      this.finish(a.messageId, m.bytes);
      return;
    }
    h.faults.burn();
    if (this.settings.ack) {
      this.outstanding.set(m.seq, { messageId: a.messageId, bytes: m.bytes, older: this.outstanding.get(m.seq) });
    }
    h.counters.delivered++;
    if (a.attempt > 1) h.counters.redelivered++;
    const more = this.consumer.deliver(m, a.attempt);
    // No-ack mode is at-most-once: done once handed over (a durable one's QoS 1 delivery is acked now).
    if (!this.settings.ack) this.finish(a.messageId, m.bytes);
    if (!more) this.paused = true;
  }

  private finish(messageId: number, bytes: number): void {
    if (messageId !== 0 && this.client !== undefined) sendPuback(this.client, messageId);
    this.account.finish(bytes);
  }

  ack(seq: number): boolean {
    const o = this.outstanding.get(seq);
    if (o === undefined) {
      this.host.counters.unknownAcks++;
      return false;
    }
    if (o.older === undefined) this.outstanding.delete(seq);
    else this.outstanding.set(seq, o.older);
    this.finish(o.messageId, o.bytes);
    this.host.counters.acked++;
    if (this.head < this.queue.length) this.drain();
    return true;
  }

  /**
   * MQTT has no nack (the backend declares it unsupported, so the protocol layer refuses nack frames before they
   * get here). The delivery stays outstanding; false, as nothing was returned for redelivery.
   */
  nack(_seq: number): boolean {
    return false;
  }

  resume(): void {
    if (this.ended) return;
    this.paused = false;
    this.drain();
  }

  /** Deliveries awaiting an ack. */
  get unacked(): number {
    return this.outstanding.size;
  }

  /**
   * Messages this consumer received and did not finish (outstanding and queued ones): the server will not send
   * them to anyone else on this session, so a closing non-durable subscription counts them as gone.
   */
  unfinished(): { messages: number; bytes: number } {
    let messages = 0;
    let bytes = 0;
    for (const first of this.outstanding.values()) {
      for (let o: Outstanding | undefined = first; o !== undefined; o = o.older) {
        messages++;
        bytes += o.bytes;
      }
    }
    for (let i = this.head; i < this.queue.length; i++) {
      messages++;
      bytes += this.queue[i]!.message.bytes;
    }
    return { messages, bytes };
  }

  /** Detaches the consumer; the backend ends the connection (keeping a durable session on the server). */
  close(): void {
    if (this.ended) return;
    this.host.detach(this, 'closed');
  }

  /** The connection went away without close(): nothing more is delivered, acks are unknown from now on. */
  lost(): void {
    if (this.ended) return;
    this.host.detach(this, 'lost');
  }

  /** Stops deliveries and forgets what was received (the backend calls it from detach, after reading `unfinished`). */
  end(): void {
    this.ended = true;
    this.paused = true;
    this.delay?.clear();
    this.queue.length = 0;
    this.head = 0;
    this.outstanding.clear();
  }

  get isEnded(): boolean {
    return this.ended;
  }
}
