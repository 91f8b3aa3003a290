/**
 * One VU loads one topic (sustained and burst): subscribers connect and subscribe, then publishers send
 * on the schedule, then the VU waits for every confirmed message to reach every subscriber (up to
 * BROKER_DRAIN_S) and counts what did not arrive as lost.
 */
import { clearInterval, clearTimeout, setInterval, setTimeout } from 'k6/timers';
import type { BrokerConfig } from './broker-config.ts';
import * as m from './broker-metrics.ts';
import type { Schedule } from './broker-schedule.ts';
import { PublisherGroup, SubscriberConn, VuContext, vuTopic } from './broker-vu.ts';

/** Publish timer period, ms: each tick sends what the schedule says is due (late ticks catch up). */
const TICK_MS = 10;
/** Connections and subscriptions must be ready within this, ms. */
const SETUP_TIMEOUT_MS = 10_000;
/** How often the drain check runs, ms. */
const DRAIN_CHECK_MS = 20;

export interface TopicRunOptions {
  cfg: BrokerConfig;
  schedule: Schedule;
  /** Topic name prefix (the profile). */
  kind: string;
  /** Tags for latency samples of a message accepted `s` seconds into publishing (burst: phase). Default none. */
  tagsAt?: (s: number) => Record<string, string>;
  /** Burst: seconds into publishing when the spike ends; each subscriber's backlog drain time is measured from there. */
  spikeEndS?: number;
  /** Sample every subscriber's lag (confirmed, not yet delivered) this often, ms; 0 = never (default). */
  lagSampleMs?: number;
}

/** Runs the topic; returns at once, the VU's iteration ends when the run closes its sockets. */
export function runTopic(o: TopicRunOptions): void {
  const { cfg, schedule } = o;
  const tagsAt = o.tagsAt;
  const ctx: VuContext = new VuContext(cfg, vuTopic(o.kind), tagsAt ? (t: number): Record<string, string> => tagsAt((t - ctx.t0) / 1000) : undefined);
  const drain = o.spikeEndS === undefined ? undefined : new DrainClock(ctx, o.spikeEndS);
  if (drain) ctx.onFirstDelivery = (sub: number, at: number): void => drain.check(sub, at);
  const subs: SubscriberConn[] = [];
  let ready = 0;
  let started = false;
  let finished = false;
  let pubsOpen = false;
  let tick: number | undefined;
  let drainCheck: number | undefined;
  let lastLagSample = 0;

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
    drain?.finish();
    VuContext.zeroCounters();
    pubs.close();
    for (const s of subs) s.close();
  };

  const startDrain = (): void => {
    const deadline = Date.now() + cfg.drainS * 1000;
    drainCheck = setInterval(() => {
      ctx.flush();
      const settled = pubs.pending.size === 0 && ctx.ledger.totalOutstanding() === 0 && (drain === undefined || drain.done);
      if (settled || Date.now() >= deadline) finish();
    }, DRAIN_CHECK_MS);
  };

  const onTick = (): void => {
    const t = (Date.now() - ctx.t0) / 1000;
    pubs.publishDue(Math.floor(schedule.dueBy(Math.min(t, schedule.durationS))));
    ctx.flush();
    if (drain !== undefined && t >= drain.spikeEndS) drain.arm(pubs.lastIds().filter((id) => pubs.pending.has(id)));
    if (o.lagSampleMs && Date.now() - lastLagSample >= o.lagSampleMs) {
      lastLagSample = Date.now();
      const tags = tagsAt?.(t);
      for (let j = 0; j < cfg.subscribers; j++) m.lag.add(ctx.ledger.outstanding(j), tags);
    }
    if (t >= schedule.durationS) {
      if (tick !== undefined) clearInterval(tick);
      tick = undefined;
      startDrain();
    }
  };

  const maybeStart = (): void => {
    if (started || finished || ready < cfg.subscribers || !pubsOpen) return;
    started = true;
    clearTimeout(setup);
    ctx.t0 = Date.now();
    tick = setInterval(onTick, TICK_MS);
  };

  const pubs = new PublisherGroup(
    ctx,
    () => {
      pubsOpen = true;
      maybeStart();
    },
    (id, seq, at) => drain?.answered(id, seq, at),
  );
  for (let j = 0; j < cfg.subscribers; j++) {
    subs.push(
      new SubscriberConn(ctx, j, {
        onSubscribed: () => {
          ready++;
          maybeStart();
        },
      }),
    );
  }
  const setup = setTimeout(() => {
    if (started) return;
    ctx.fail(`not ready after ${SETUP_TIMEOUT_MS} ms: ${ready}/${cfg.subscribers} subscribed, publishers ${pubsOpen ? 'open' : 'not open'}`);
    finish();
  }, SETUP_TIMEOUT_MS);
}

/**
 * Burst drain time: when the spike ends, the last message each publisher sent is noted; once their
 * confirms name the highest seq H, a subscriber has drained when it holds every message up to H.
 */
class DrainClock {
  private awaiting: Set<string> | undefined;
  /** Highest seq published before the spike ended; 0 until known. */
  private target = 0;
  private readonly drained: boolean[];
  private armed = false;

  constructor(
    private readonly ctx: VuContext,
    readonly spikeEndS: number,
  ) {
    this.drained = new Array<boolean>(ctx.cfg.subscribers).fill(false);
  }

  private get spikeEndAt(): number {
    return this.ctx.t0 + this.spikeEndS * 1000;
  }

  /** All subscribers drained. */
  get done(): boolean {
    return this.drained.every(Boolean);
  }

  /**
   * Called on every tick after the spike end; the first call notes the publishers' last ids still waiting
   * for their confirm (those already confirmed are covered by the ledger's highest confirmed seq).
   */
  arm(unansweredLastIds: string[]): void {
    if (this.armed) return;
    this.armed = true;
    this.awaiting = new Set(unansweredLastIds);
    this.target = Math.max(this.target, this.ctx.ledger.maxConfirmed);
    this.settleIfKnown(Date.now());
  }

  /** A publish answer arrived (seq undefined when refused). */
  answered(id: string, seq: number | undefined, at: number): void {
    if (this.awaiting === undefined || !this.awaiting.delete(id)) return;
    if (seq !== undefined && seq > this.target) this.target = seq;
    this.settleIfKnown(at);
  }

  private settleIfKnown(at: number): void {
    if (this.awaiting === undefined || this.awaiting.size > 0) return;
    this.awaiting = undefined;
    for (let j = 0; j < this.drained.length; j++) this.check(j, at);
  }

  /** Subscriber `sub` got a message: it has drained when it holds every message up to the target. */
  check(sub: number, at: number): void {
    if (!this.armed || this.awaiting !== undefined || this.drained[sub]) return;
    if (this.ctx.ledger.watermark(sub) < this.target) return;
    this.drained[sub] = true;
    m.backlogDrain.add(Math.max(0, at - this.spikeEndAt));
  }

  /** End of run: a subscriber that never drained reports the time until now (its missing messages count as lost). */
  finish(): void {
    if (!this.armed) return;
    for (let j = 0; j < this.drained.length; j++) {
      if (!this.drained[j]) {
        this.drained[j] = true;
        m.backlogDrain.add(Date.now() - this.spikeEndAt);
      }
    }
  }
}
