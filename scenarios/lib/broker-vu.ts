/**
 * The pieces one k6 VU uses to load one topic: a group of publisher connections and subscriber
 * connections, all writing into one {@link Ledger}, so every confirmed message is accounted for.
 * `k6/websockets` is event driven: the VU's iteration lasts until every socket and timer is closed.
 */
import exec from 'k6/execution';
import { clearInterval, setInterval } from 'k6/timers';
import { WebSocket, type MessageEvent } from 'k6/websockets';
import { wsAuthParams } from './auth.ts';
import type { BrokerConfig } from './broker-config.ts';
import { ackFrame, parseFrame, publishFrameMaker, subscribeFrame, type BrokerFrame } from './broker-frames.ts';
import { Ledger } from './broker-ledger.ts';
import * as m from './broker-metrics.ts';
import { verdict } from './verdict.ts';

/** k6's console (its globals in @types/k6 do not declare it). */
declare const console: { warn(...data: unknown[]): void };

/** k6 WebSocket readyState of an open socket. */
const OPEN = 1;
/** Counters are added at most this often (same totals, far fewer samples than one per message), ms. */
const FLUSH_MS = 250;

/** Per VU and run: topic names are new on every run, so their seqs start at 1 (the ledger relies on it). */
const RUN_TOKEN = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

/** A topic name unique to this VU and run, e.g. `sustained-lx3k9a1b2c-3`. */
export function vuTopic(kind: string): string {
  return `${kind}-${RUN_TOKEN}-${exec.vu.idInTest}`;
}

/** State one VU's publishers and subscribers share. */
export class VuContext {
  readonly ledger: Ledger;
  /** Epoch ms when publishing started; 0 before. */
  t0 = 0;
  private delivered = 0;
  private expected = 0;
  private published = 0;
  private flushedAt = 0;
  private warned = 0;
  /** A failure was recorded: the topic's passing check is not added at the end. */
  private failed = false;

  /**
   * @param tagsFor tags for latency samples of a message the broker accepted at epoch ms `t` (burst: its phase); default none
   * @param onFirstDelivery called after each first delivery to subscriber `sub` (burst: drain tracking); default none
   */
  constructor(
    readonly cfg: BrokerConfig,
    readonly topic: string,
    readonly tagsFor: (t: number) => Record<string, string> | undefined = () => undefined,
    public onFirstDelivery: (sub: number, receivedAt: number) => void = () => {},
  ) {
    this.ledger = new Ledger(cfg.subscribers);
  }

  /** Latency samples are kept for messages accepted after the warm-up. */
  sampled(t: number): boolean {
    return this.t0 > 0 && t - this.t0 >= this.cfg.warmupMs;
  }

  countDelivered(): void {
    this.delivered++;
  }

  countPublished(): void {
    this.published++;
  }

  /** One publish sent: each subscriber should get it. */
  countExpected(): void {
    this.expected += this.cfg.subscribers;
  }

  /** Adds the batched counters; `force` at the end of the run. */
  flush(force = false): void {
    const now = Date.now();
    if (!force && now - this.flushedAt < FLUSH_MS) return;
    this.flushedAt = now;
    // One passing check per topic at the end, not one per frame: a check per message would cost k6 CPU per event.
    if (force && !this.failed) verdict(m.errors, 'broker frames well-formed and accepted', true);
    if (this.delivered > 0) m.delivered.add(this.delivered);
    if (this.expected > 0) m.deliveredExpected.add(this.expected);
    if (this.published > 0) m.published.add(this.published);
    this.delivered = this.expected = this.published = 0;
  }

  /** Records a failure (a Rate sample) and logs the first few, so a broken run says why. */
  fail(what: string): void {
    this.failed = true;
    verdict(m.errors, 'broker frames well-formed and accepted', false);
    if (this.warned++ < 5) console.warn(`broker scenario, topic ${this.topic}: ${what}`);
  }

  /** The counters that must exist in every summary (thresholds on them), added as 0 at the end. */
  static zeroCounters(): void {
    for (const c of [m.lost, m.duplicates, m.outOfOrder, m.redelivered, m.publishErrors, m.unconfirmed, m.delivered, m.deliveredExpected]) c.add(0);
  }
}

/** The publishers of one topic: open model, each tops up to what the schedule says is due. */
export class PublisherGroup {
  /** Publish id → Date.now() when sent, until its confirm or error. */
  readonly pending = new Map<string, number>();
  private readonly sockets: WebSocket[] = [];
  private readonly sent: number[] = [];
  private opened = 0;
  private closing = false;
  private readonly frame: (id: string) => string;

  /**
   * @param onReady called once every publisher connection is open
   * @param onAnswer called with each confirmed (seq) or refused (seq undefined) publish id
   */
  constructor(
    private readonly ctx: VuContext,
    onReady: () => void,
    private readonly onAnswer: (id: string, seq: number | undefined, receivedAt: number) => void = () => {},
  ) {
    this.frame = publishFrameMaker(ctx.topic, ctx.cfg.size, ctx.cfg.cid);
    for (let i = 0; i < ctx.cfg.publishers; i++) {
      const ws = new WebSocket(ctx.cfg.wsUrl, null, wsAuthParams());
      this.sent.push(0);
      ws.onopen = () => {
        if (++this.opened === ctx.cfg.publishers) onReady();
      };
      ws.onmessage = (ev?: MessageEvent) => {
        if (ev !== undefined) this.onMessage(ev);
      };
      ws.onerror = () => ctx.fail(`publisher ${i}: connection error`);
      ws.onclose = () => {
        if (!this.closing) ctx.fail(`publisher ${i}: connection closed by the broker`);
      };
      this.sockets.push(ws);
    }
  }

  /** Sends, from every publisher, the messages due up to `due` (per publisher). */
  publishDue(due: number): void {
    for (let i = 0; i < this.sockets.length; i++) {
      const ws = this.sockets[i]!;
      while (this.sent[i]! < due) {
        const id = `${i}-${++this.sent[i]!}`;
        this.ctx.countExpected();
        if (ws.readyState !== OPEN) {
          this.ctx.fail(`publisher ${i}: not open, message ${id} not sent`);
          continue;
        }
        ws.send(this.frame(id));
        this.pending.set(id, Date.now());
      }
    }
  }

  /** The id each publisher sent last (burst: the last message of the spike). */
  lastIds(): string[] {
    return this.sent.filter((n) => n > 0).map((n, i) => `${i}-${n}`);
  }

  private onMessage(ev: MessageEvent): void {
    const f = parseFrame(ev.data);
    if (f === null || f.id === undefined || (f.op !== 'ok' && f.op !== 'error')) {
      this.ctx.fail(`publisher got an unexpected frame: ${String(ev.data).slice(0, 200)}`);
      return;
    }
    const sentAt = this.pending.get(f.id);
    this.pending.delete(f.id);
    if (f.op === 'error') {
      m.publishErrors.add(1, { code: f.code ?? 'unknown' });
      this.ctx.fail(`publish ${f.id} refused: ${f.code}: ${f.message}`);
      this.onAnswer(f.id, undefined, ev.timestamp);
      return;
    }
    m.errors.add(false);
    this.ctx.countPublished();
    this.ctx.ledger.confirm(f.seq!);
    if (sentAt !== undefined && this.ctx.sampled(f.t!)) m.publishConfirm.add(ev.timestamp - sentAt, this.ctx.tagsFor(f.t!));
    this.onAnswer(f.id, f.seq, ev.timestamp);
  }

  close(): void {
    this.closing = true;
    for (const ws of this.sockets) ws.close();
  }
}

export interface SubscriberOptions {
  /** Durable subscription name (churn); default none. */
  durable?: string;
  /** The broker answered the subscribe. */
  onSubscribed: (f: BrokerFrame, receivedAt: number) => void;
  /** The connection ended (by us or the broker). */
  onClosed?: () => void;
}

/** Most seqs in one ack frame (the broker's limit is 1000). */
const ACK_BATCH_MAX = 500;

/** One subscriber connection of a topic; `index` is its book in the ledger (kept across reconnects). */
export class SubscriberConn {
  readonly ws: WebSocket;
  /** Date.now() when the connection was created. */
  readonly openedAt = Date.now();
  subscribed = false;
  private closing = false;
  private ackFrames = 0;
  private firsts = 0;
  /** Acks not sent yet, and when each delivery was received. */
  private toAck: number[] = [];
  private toAckAt: number[] = [];
  /** Receive times of the deliveries in each ack frame that asked for a receipt, oldest frame first. */
  private readonly receipts: number[][] = [];
  private ackTimer: number | undefined;

  constructor(
    private readonly ctx: VuContext,
    readonly index: number,
    private readonly o: SubscriberOptions,
  ) {
    const cfg = ctx.cfg;
    this.ws = new WebSocket(cfg.wsUrl, null, wsAuthParams());
    this.ws.onopen = () =>
      this.ws.send(subscribeFrame(ctx.topic, { ack: cfg.ack, prefetch: cfg.prefetch, ackTimeoutMs: cfg.ackTimeoutMs, ...(o.durable ? { durable: o.durable } : {}) }));
    this.ws.onmessage = (ev?: MessageEvent) => {
      if (ev !== undefined) this.onMessage(ev);
    };
    this.ws.onerror = () => ctx.fail(`subscriber ${index}: connection error`);
    this.ws.onclose = () => {
      if (this.ackTimer !== undefined) clearInterval(this.ackTimer);
      this.ackTimer = undefined;
      if (!this.closing) ctx.fail(`subscriber ${index}: connection closed by the broker`);
      o.onClosed?.();
    };
    if (cfg.ack && cfg.ackBatchMs > 0) this.ackTimer = setInterval(() => this.flushAcks(), cfg.ackBatchMs);
  }

  /** Sends the collected acks in one frame; every BROKER_RECEIPT_EVERY-th frame asks for a receipt. */
  private flushAcks(): void {
    if (this.toAck.length === 0 || this.ws.readyState !== OPEN) return;
    const every = this.ctx.cfg.receiptEvery;
    const receipt = every > 0 && ++this.ackFrames % every === 0;
    if (receipt) this.receipts.push(this.toAckAt);
    this.ws.send(ackFrame(this.ctx.topic, this.toAck, receipt));
    this.toAck = [];
    this.toAckAt = [];
  }

  private onMessage(ev: MessageEvent): void {
    const f = parseFrame(ev.data);
    switch (f?.op) {
      case 'msg':
        return this.onDelivery(f, ev.timestamp);
      case 'subscribed':
        this.subscribed = true;
        return this.o.onSubscribed(f, ev.timestamp);
      case 'acked': {
        // Receipts come back in the order the frames were sent (one connection, processed in order).
        for (const at of this.receipts.shift() ?? []) m.ackLatency.add(ev.timestamp - at);
        return;
      }
      default:
        this.ctx.fail(`subscriber ${this.index} got ${f?.op === 'error' ? `an error: ${f.code}: ${f.message}` : `an unexpected frame: ${String(ev.data).slice(0, 200)}`}`);
    }
  }

  private onDelivery(f: BrokerFrame, receivedAt: number): void {
    const ctx = this.ctx;
    const seq = f.seq!;
    const attempt = f.attempt ?? 1;
    const verdict = ctx.ledger.receive(this.index, seq, attempt);
    if (verdict.first) {
      ctx.countDelivered();
      if (ctx.sampled(f.t!)) m.e2eLatency.add(receivedAt - f.t!, ctx.tagsFor(f.t!));
      ctx.onFirstDelivery(this.index, receivedAt);
    } else {
      m.duplicates.add(1);
    }
    if (verdict.outOfOrder) m.outOfOrder.add(1);
    if (attempt > 1) m.redelivered.add(1);
    if (!ctx.cfg.ack) return;
    if (ctx.cfg.ackSkipEvery > 0 && verdict.first && ++this.firsts % ctx.cfg.ackSkipEvery === 0) return; // redelivered later
    this.toAck.push(seq);
    this.toAckAt.push(receivedAt);
    if (ctx.cfg.ackBatchMs === 0 || this.toAck.length >= ACK_BATCH_MAX) this.flushAcks();
  }

  /** Sends the acks still collected, then closes. */
  close(): void {
    this.flushAcks();
    this.closing = true;
    if (this.ackTimer !== undefined) clearInterval(this.ackTimer);
    this.ackTimer = undefined;
    this.ws.close();
  }
}
