/**
 * A broadcast topic: one producer, many subscribers, a bounded history for resume.
 * Each event is serialised once and the same string is written to every subscriber.
 */
import { createDelayLine, type DelayLine } from '../common/delay.ts';
import { eventFrame, lostFrame, nowEpochMs, payload } from './frame.ts';
import { RateProducer } from './producer.ts';
import { EventRing, type BufferBudget } from './ring.ts';
import { deliverEvent, writeControl, type Delivery, type Frame, type Stream } from './stream.ts';

/** What a topic needs from its server. */
export interface TopicHost {
  readonly delivery: Delivery;
  /** Events kept for resume. */
  readonly bufferEvents: number;
  /** Bytes kept for resume. */
  readonly bufferBytes: number;
  /** Byte budget shared by every topic's history. */
  readonly budget: BufferBudget;
  /** Production continues this long after the last subscriber left. */
  readonly graceMs: number;
  /** Fault delay applied to each produced batch before it is written. */
  readonly delayMs: number;
  /** Called once when the topic stops after its grace period (the server forgets it). */
  onExpired(topic: Topic): void;
}

/** How far (in seconds of events) a resume id may be ahead of the topic and still wait for it. */
const AHEAD_ALLOWANCE_S = 60;

export class Topic {
  readonly subscribers = new Set<Stream>();
  private readonly ring: EventRing;
  private readonly producer: RateProducer;
  private readonly delay: DelayLine;
  private readonly p: string;
  /** Last id produced (may still sit in the delay line). */
  private seq: number;
  private grace: NodeJS.Timeout | undefined;
  private stopped = false;

  /**
   * Creates the topic; production starts with the first subscriber (so it gets event 1).
   * @param startSeq id of the first event (1, or Last-Event-ID + 1 when a resuming client re-creates it)
   */
  constructor(
    readonly name: string,
    readonly rate: number,
    readonly size: number,
    startSeq: number,
    private readonly host: TopicHost,
  ) {
    this.seq = startSeq - 1;
    this.p = payload(size);
    this.ring = new EventRing(host.bufferEvents, host.bufferBytes, startSeq, host.budget);
    this.delay = createDelayLine(host.delayMs);
    this.producer = new RateProducer(rate, this.produce, (n) => (host.delivery.counters.scheduleSkipped += n));
  }

  /** Why a request cannot join (text for a 409), or undefined when it can. */
  conflict(rate: number | undefined, size: number | undefined, lastEventId: number | undefined): string | undefined {
    if ((rate !== undefined && rate !== this.rate) || (size !== undefined && size !== this.size)) {
      const asked = [rate !== undefined ? `rate=${rate}` : '', size !== undefined ? `size=${size}` : ''].filter(Boolean).join(' ');
      return `topic "${this.name}" already runs at rate=${this.rate} size=${this.size} (fixed by its first subscriber) but this request asked ${asked}: omit rate and size, ask the same values, or use another topic`;
    }
    if (lastEventId !== undefined && lastEventId - this.seq > Math.ceil(this.rate * AHEAD_ALLOWANCE_S)) {
      return `Last-Event-ID ${lastEventId} is ahead of topic "${this.name}" (last id ${this.seq}): the topic was restarted since; reconnect without Last-Event-ID`;
    }
    return undefined;
  }

  /**
   * Adds a subscriber. With `lastEventId`, first replays what it missed from the
   * history (preceded by an `event: lost` notice when part of it was evicted),
   * then it receives live events; `after` guarantees no duplicate.
   */
  subscribe(stream: Stream, lastEventId: number | undefined): void {
    if (this.grace !== undefined) clearTimeout(this.grace);
    this.grace = undefined;
    const d = this.host.delivery;
    if (lastEventId === undefined) {
      stream.after = this.ring.last;
    } else {
      d.counters.resumes++;
      const from = lastEventId + 1;
      if (from < this.ring.first) {
        writeControl(d, stream, lostFrame(from, this.ring.first - 1));
        d.counters.lostNotices++;
        d.counters.lostReported += this.ring.first - from;
      }
      this.ring.forEachFrom(from, (_seq, frame) => deliverEvent(d, stream, frame));
      // An id ahead of the topic (it was re-created) waits until the topic passes it.
      stream.after = Math.max(lastEventId, this.ring.last);
    }
    this.subscribers.add(stream);
    this.producer.start(); // no-op once running
  }

  /** Removes a subscriber; the last one leaving starts the grace period. */
  unsubscribe(stream: Stream): void {
    // After stop (server closing) no grace timer: it would keep the process alive.
    if (!this.subscribers.delete(stream) || this.subscribers.size > 0 || this.stopped) return;
    this.grace = setTimeout(() => {
      this.stop();
      this.host.onExpired(this);
    }, this.host.graceMs);
  }

  /** Stops production and frees the history. */
  stop(): void {
    this.stopped = true;
    this.producer.stop();
    this.delay.clear();
    this.ring.clear();
    if (this.grace !== undefined) clearTimeout(this.grace);
    this.grace = undefined;
  }

  private readonly produce = (count: number): void => {
    this.host.delivery.counters.eventsProduced += count;
    if (this.host.delayMs <= 0) {
      for (let i = 0; i < count; i++) {
        const seq = ++this.seq;
        const t = nowEpochMs();
        this.publish(seq, this.encode(seq, t), t);
      }
      return;
    }
    // Stamp now, write later: the whole batch waits once (not once per subscriber).
    const first = this.seq + 1;
    const frames: Frame[] = [];
    const stamps: number[] = [];
    for (let i = 0; i < count; i++) {
      const t = nowEpochMs();
      frames.push(this.encode(++this.seq, t));
      stamps.push(t);
    }
    this.delay.schedule(() => frames.forEach((frame, i) => this.publish(first + i, frame, stamps[i] ?? nowEpochMs())));
  };

  /** Serialises event `seq` once, stamped `t`, as bytes shared by every subscriber and the history. */
  private encode(seq: number, t: number): Buffer {
    return Buffer.from(eventFrame(seq, t, this.name, this.p), 'latin1');
  }

  /** Records the event for resume and writes it to every subscriber that has not seen it (`t`: its stamp). */
  private publish(seq: number, frame: Frame, t: number): void {
    this.ring.push(seq, frame);
    const d = this.host.delivery;
    for (const s of this.subscribers) if (seq > s.after) deliverEvent(d, s, frame, t);
  }
}
