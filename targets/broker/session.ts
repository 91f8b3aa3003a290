/**
 * One WebSocket connection: parses client frames, drives the backend, writes replies and deliveries.
 * Every write goes through `send`, so batching, counters and the slow-client bounds apply to all of them.
 */
import type { Socket } from 'node:net';
import { WebSocket, type RawData } from 'ws';
import type { BrokerBackend, Consumer, MaybePromise, Message, PublishResult, SubscriptionHandle } from './backend.ts';
import type { ServerCounters } from './counters.ts';
import { parseClientFrame, type PublishFrame, type SettleFrame, type SubscribeFrame, type SubscribeDefaults } from './protocol.ts';
import {
  batchReceiptFrame,
  confirmFrame,
  deliveryBytes,
  deliveryFrame,
  errorFrame,
  receiptFrame,
  subscribedFrame,
  unsubscribedFrame,
  type ErrorCode,
  type ErrorRef,
} from './wire.ts';

/** What every session of one server shares. */
export interface SessionContext {
  readonly backend: BrokerBackend;
  readonly counters: ServerCounters;
  readonly defaults: SubscribeDefaults;
  /** Frames above this many bytes get a `too_large` error. */
  readonly maxFrameBytes: number;
  readonly maxSubscriptions: number;
  /** Deliveries pause above this many unsent bytes; 8x disconnects. */
  readonly maxBufferedBytes: number;
}

/** Send options: bytes go out as text frames too (they are UTF-8 JSON). Shared, not allocated per send. */
const TEXT = { binary: false } as const;

/** Calls `fn` with the value now, or when the promise settles (backends may answer either way). */
function whenReady<T>(value: MaybePromise<T>, fn: (v: T) => void, onError: (err: unknown) => void): void {
  if (value instanceof Promise) value.then(fn, onError);
  else fn(value);
}

/** A received frame as one Buffer (`ws` hands over a Buffer unless configured otherwise). */
function frameBytes(data: RawData): Buffer {
  return Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/** One subscription of this connection, as the backend's consumer. */
class WsConsumer implements Consumer {
  handle: SubscriptionHandle | undefined;
  constructor(private readonly session: Session) {}

  deliver(m: Message, attempt: number): boolean {
    const more = this.session.send(attempt === 1 ? deliveryBytes(m) : deliveryFrame(m, attempt));
    if (!more) this.session.waitForDrain(this);
    return more;
  }
}

export class Session {
  private readonly subs = new Map<string, WsConsumer>();
  private readonly paused = new Set<WsConsumer>();
  private corked = false;
  private draining = false;
  private closed = false;

  /**
   * @param socket the TCP socket under `ws` (frames written in one event-loop turn are flushed together)
   * @param ballast `TIDEMARK_FAULT_MEM_KB` memory held while the connection lives
   * @param onClosed called once when the connection is gone
   */
  constructor(
    private readonly ws: WebSocket,
    private readonly socket: Socket,
    private readonly ctx: SessionContext,
    private ballast: Buffer | undefined,
    private readonly onClosed: (s: Session) => void,
  ) {
    ws.on('message', this.onMessage);
    ws.on('close', this.onClose);
    ws.on('error', () => {}); // protocol errors (bad masking, 1009) close the socket; 'close' cleans up
  }

  /** Closes with a close frame (server shutting down); `terminate` is the hard stop. */
  shutdown(): void {
    this.ws.close(1001, 'broker shutting down');
  }

  terminate(): void {
    this.ws.terminate();
  }

  /**
   * Writes one frame. Returns false when the connection's unsent bytes passed the pause bound (the caller
   * stops delivering until drain) or the connection is not open.
   */
  send(frame: string | Buffer): boolean {
    const ws = this.ws;
    if (ws.readyState !== WebSocket.OPEN) return false;
    if (!this.corked) {
      // One write syscall for all frames of this turn instead of one per frame.
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    ws.send(frame, TEXT);
    this.ctx.counters.framesOut++;
    const buffered = ws.bufferedAmount;
    if (buffered <= this.ctx.maxBufferedBytes) return true;
    if (buffered > this.ctx.maxBufferedBytes * 8) {
      // Replies pile up although deliveries are paused: the client does not read. Cut it rather than grow.
      this.ctx.counters.slowDisconnects++;
      ws.terminate();
    }
    return false;
  }

  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  /** Resumes `consumer` once the socket drained. */
  waitForDrain(consumer: WsConsumer): void {
    this.paused.add(consumer);
    if (this.draining || this.closed) return;
    this.draining = true;
    // 'drain' only comes after a write crossed the socket's own high-water mark (16 KiB); a lower pause
    // bound may not have crossed it, so check again on the next turn instead of waiting forever.
    if (this.socket.writableNeedDrain) this.socket.once('drain', this.onDrain);
    else setImmediate(this.onDrain);
  }

  private readonly onDrain = (): void => {
    this.draining = false;
    const waiting = [...this.paused];
    this.paused.clear();
    for (const c of waiting) c.handle?.resume();
  };

  private fail(code: ErrorCode, message: string, ref: ErrorRef = {}): void {
    this.ctx.counters.errors[code]++;
    this.send(errorFrame(code, message, ref));
  }

  private readonly onMessage = (data: RawData, isBinary: boolean): void => {
    this.ctx.counters.framesIn++;
    if (isBinary) return this.fail('bad_frame', 'binary frames are not supported: send JSON text frames (see targets/broker/README.md)');
    const frame = frameBytes(data);
    if (frame.length > this.ctx.maxFrameBytes) {
      return this.fail('too_large', `frame of ${frame.length} bytes is over the ${this.ctx.maxFrameBytes}-byte limit (TIDEMARK_BROKER_MAX_FRAME_BYTES): send smaller payloads`);
    }
    const parsed = parseClientFrame(frame.toString('utf8'), this.ctx.defaults, frame);
    if (!parsed.ok) return this.fail('bad_frame', parsed.message, { id: parsed.id, topic: parsed.topic });
    const f = parsed.frame;
    switch (f.op) {
      case 'pub':
        return this.publish(f, frame.length);
      case 'sub':
        return this.subscribe(f);
      case 'ack':
      case 'nack':
        return this.settle(f);
      default:
        return this.unsubscribe(f.topic);
    }
  };

  /** @param bytes the frame size: what the message counts for against the backlog byte bound */
  private publish(f: PublishFrame, bytes: number): void {
    const r = this.ctx.backend.publish(f.topic, f.id, f.cid, f.data, bytes);
    // No closure on the synchronous path: this runs once per message.
    if (r instanceof Promise) {
      r.then(
        (v) => this.answerPublish(f, v),
        (err: unknown) => this.fail('unavailable', `backend error: ${String(err)}`, { id: f.id, topic: f.topic }),
      );
    } else {
      this.answerPublish(f, r);
    }
  }

  private answerPublish(f: PublishFrame, r: PublishResult): void {
    if (r.ok) this.send(confirmFrame(f.id, r.seq, r.t));
    else this.fail(r.code, r.message, { id: f.id, topic: f.topic });
  }

  private subscribe(f: SubscribeFrame): void {
    // A timeout other than the default was asked for: refused where the backend cannot redeliver on timeout.
    const noTimeouts = this.ctx.backend.unsupported?.ackTimeoutMs;
    if (noTimeouts !== undefined && f.ackTimeoutMs !== this.ctx.defaults.ackTimeoutMs) {
      return this.fail('unsupported', noTimeouts, { topic: f.topic });
    }
    if (this.subs.has(f.topic)) {
      return this.fail('conflict', `already subscribed to topic "${f.topic}" on this connection: unsub first, or use another connection for a second subscription`, { topic: f.topic });
    }
    if (this.subs.size >= this.ctx.maxSubscriptions) {
      return this.fail('limit', `this connection holds ${this.subs.size} subscriptions, the limit (TIDEMARK_BROKER_MAX_SUBSCRIPTIONS): unsub some or open another connection`, { topic: f.topic });
    }
    const consumer = new WsConsumer(this);
    this.subs.set(f.topic, consumer); // reserved while an asynchronous backend answers
    const request = { topic: f.topic, group: f.group, durable: f.durable, ack: f.ack, prefetch: f.prefetch, ackTimeoutMs: f.ackTimeoutMs };
    whenReady(
      this.ctx.backend.subscribe(request, consumer),
      (r) => {
        if (!r.ok) {
          this.subs.delete(f.topic);
          return this.fail(r.code, r.message, { topic: f.topic });
        }
        if (this.closed || this.subs.get(f.topic) !== consumer) return r.handle.close();
        consumer.handle = r.handle;
        this.send(subscribedFrame({ ...request, resumed: r.resumed, backlog: r.backlog }));
        r.handle.resume(); // deliveries start after the answer
      },
      (err) => {
        this.subs.delete(f.topic);
        this.fail('unavailable', `backend error: ${String(err)}`, { topic: f.topic });
      },
    );
  }

  private settle(f: SettleFrame): void {
    const noNack = f.op === 'nack' ? this.ctx.backend.unsupported?.nack : undefined;
    if (noNack !== undefined) return this.fail('unsupported', noNack, { topic: f.topic, seq: f.batch ? undefined : f.seqs[0] });
    const handle = this.subs.get(f.topic)?.handle;
    if (handle === undefined) {
      const seq = f.batch ? undefined : f.seqs[0];
      return this.fail('not_subscribed', `not subscribed to topic "${f.topic}" on this connection: ack on the connection that received the delivery`, { topic: f.topic, seq });
    }
    let known = 0;
    for (const seq of f.seqs) if (f.op === 'ack' ? handle.ack(seq) : handle.nack(seq)) known++;
    if (!f.receipt) return;
    this.send(f.batch ? batchReceiptFrame(f.op, f.topic, f.seqs.length, known) : receiptFrame(f.op, f.topic, f.seqs[0]!, known === 1));
  }

  private unsubscribe(topic: string): void {
    const consumer = this.subs.get(topic);
    if (consumer === undefined) return this.fail('not_subscribed', `not subscribed to topic "${topic}" on this connection`, { topic });
    this.subs.delete(topic);
    this.paused.delete(consumer);
    consumer.handle?.close();
    this.send(unsubscribedFrame(topic));
  }

  private readonly onClose = (): void => {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.subs.values()) c.handle?.close();
    this.subs.clear();
    this.paused.clear();
    this.ballast = undefined;
    this.onClosed(this);
  };

  /** Subscriptions held (for tests and stats). */
  get subscriptionCount(): number {
    return this.subs.size;
  }

  /** True while the memory ballast is held (released on close). */
  get holdsBallast(): boolean {
    return this.ballast !== undefined;
  }
}
