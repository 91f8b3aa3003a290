/**
 * One VU loads one topic while its subscribers churn: each subscriber holds a durable subscription,
 * closes its connection after about BROKER_CHURN_HOLD_MS, reconnects at once and resumes it. Publishing
 * never pauses, so every resume has to deliver what was published (or left unacked) in between.
 * The ledger spans reconnects, so a message lost across a resume is counted.
 */
import { clearInterval, clearTimeout, setInterval, setTimeout } from 'k6/timers';
import type { BrokerConfig } from './broker-config.ts';
import * as m from './broker-metrics.ts';
import type { Schedule } from './broker-schedule.ts';
import { PublisherGroup, SubscriberConn, VuContext, vuTopic } from './broker-vu.ts';

const TICK_MS = 10;
const SETUP_TIMEOUT_MS = 10_000;
const DRAIN_CHECK_MS = 20;

export interface ChurnRunOptions {
  /** Subscriptions are always in ack mode here: in no-ack mode a closing connection loses its in-flight messages by design. */
  cfg: BrokerConfig;
  schedule: Schedule;
  /** Mean lifetime of a subscriber connection, ms (each is drawn from 0.5x..1.5x to spread reconnects). */
  holdMs: number;
}

/** One subscriber's sequence of connections to its durable subscription. */
class ChurningSubscriber {
  conn: SubscriberConn;
  connections = 0;
  private hold: number | undefined;
  private stopped = false;

  constructor(
    private readonly ctx: VuContext,
    private readonly index: number,
    private readonly holdMs: number,
    private readonly onFirstSubscribed: () => void,
  ) {
    this.conn = this.connect();
  }

  private connect(): SubscriberConn {
    this.connections++;
    const durable = `${this.ctx.topic}-d${this.index}`;
    const conn = new SubscriberConn(this.ctx, this.index, {
      durable,
      onSubscribed: (f, at) => {
        if (f.resumed) {
          m.resumeTime.add(at - conn.openedAt);
          m.resumeBacklog.add(f.backlog ?? 0);
        } else {
          this.onFirstSubscribed();
        }
        if (!this.stopped) this.hold = setTimeout(() => conn.close(), this.holdMs * (0.5 + Math.random()));
      },
      // Reconnect as soon as the old connection is gone, while the run still churns.
      onClosed: () => {
        if (!this.stopped && this.conn === conn) this.conn = this.connect();
      },
    });
    return conn;
  }

  /** Stops churning: the current connection stays to drain. */
  settle(): void {
    this.stopped = true;
    if (this.hold !== undefined) clearTimeout(this.hold);
  }

  close(): void {
    this.settle();
    this.conn.close();
  }
}

/** Runs the topic; returns at once, the iteration ends when the run closes its sockets. */
export function runChurn(o: ChurnRunOptions): void {
  const cfg: BrokerConfig = { ...o.cfg, ack: true };
  const ctx = new VuContext(cfg, vuTopic('churn'));
  const subs: ChurningSubscriber[] = [];
  let ready = 0;
  let pubsOpen = false;
  let started = false;
  let finished = false;
  let tick: number | undefined;
  let drainCheck: number | undefined;

  const finish = (): void => {
    if (finished) return;
    finished = true;
    clearTimeout(setup);
    if (tick !== undefined) clearInterval(tick);
    if (drainCheck !== undefined) clearInterval(drainCheck);
    ctx.flush(true);
    for (let j = 0; j < cfg.subscribers; j++) m.lost.add(ctx.ledger.outstanding(j));
    m.unconfirmed.add(pubs.pending.size);
    for (let i = 0; i < pubs.pending.size; i++) m.errors.add(true);
    VuContext.zeroCounters();
    pubs.close();
    for (const s of subs) s.close();
  };

  const onTick = (): void => {
    const t = (Date.now() - ctx.t0) / 1000;
    pubs.publishDue(Math.floor(o.schedule.dueBy(Math.min(t, o.schedule.durationS))));
    ctx.flush();
    if (t < o.schedule.durationS) return;
    if (tick !== undefined) clearInterval(tick);
    tick = undefined;
    for (const s of subs) s.settle();
    const deadline = Date.now() + cfg.drainS * 1000;
    drainCheck = setInterval(() => {
      ctx.flush();
      const allSubscribed = subs.every((s) => s.conn.subscribed);
      if ((allSubscribed && pubs.pending.size === 0 && ctx.ledger.totalOutstanding() === 0) || Date.now() >= deadline) finish();
    }, DRAIN_CHECK_MS);
  };

  const maybeStart = (): void => {
    if (started || finished || ready < cfg.subscribers || !pubsOpen) return;
    started = true;
    clearTimeout(setup);
    ctx.t0 = Date.now();
    tick = setInterval(onTick, TICK_MS);
  };

  const pubs = new PublisherGroup(ctx, () => {
    pubsOpen = true;
    maybeStart();
  });
  for (let j = 0; j < cfg.subscribers; j++) {
    subs.push(
      new ChurningSubscriber(ctx, j, o.holdMs, () => {
        ready++;
        maybeStart();
      }),
    );
  }
  const setup = setTimeout(() => {
    if (started) return;
    ctx.fail(`not ready after ${SETUP_TIMEOUT_MS} ms: ${ready}/${cfg.subscribers} subscribed, publishers ${pubsOpen ? 'open' : 'not open'}`);
    finish();
  }, SETUP_TIMEOUT_MS);
}
