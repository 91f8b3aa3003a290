/**
 * A stream without a topic: its own producer, nothing shared, no history.
 * Resuming with Last-Event-ID n continues numbering at n + 1: nothing was produced
 * for anyone while the client was away, so there is nothing to replay or report.
 */
import { createDelayLine, type DelayLine } from '../common/delay.ts';
import { eventFrame, nowEpochMs, payload } from './frame.ts';
import { RateProducer } from './producer.ts';
import { deliverEvent, type Delivery, type Stream } from './stream.ts';

export class PrivateStream {
  private readonly producer: RateProducer;
  private readonly delay: DelayLine | undefined;
  private readonly p: string;
  private seq: number;

  /**
   * Starts producing at once.
   * @param startSeq id of the first event: 1, or Last-Event-ID + 1
   * @param delayMs fault delay per event batch; 0 writes synchronously
   */
  constructor(
    private readonly stream: Stream,
    rate: number,
    size: number,
    startSeq: number,
    private readonly delivery: Delivery,
    delayMs: number,
  ) {
    this.seq = startSeq - 1;
    this.p = payload(size);
    this.delay = delayMs > 0 ? createDelayLine(delayMs) : undefined;
    this.producer = new RateProducer(rate, this.produce, (n) => (delivery.counters.scheduleSkipped += n));
    this.producer.start();
  }

  stop(): void {
    this.producer.stop();
    this.delay?.clear();
  }

  private readonly produce = (count: number): void => {
    this.delivery.counters.eventsProduced += count;
    if (this.delay === undefined) {
      for (let i = 0; i < count; i++) {
        const t = nowEpochMs();
        deliverEvent(this.delivery, this.stream, eventFrame(++this.seq, t, '', this.p), t);
      }
      return;
    }
    const frames: string[] = [];
    const stamps: number[] = [];
    for (let i = 0; i < count; i++) {
      const t = nowEpochMs();
      frames.push(eventFrame(++this.seq, t, '', this.p));
      stamps.push(t);
    }
    this.delay.schedule(() => frames.forEach((frame, i) => deliverEvent(this.delivery, this.stream, frame, stamps[i])));
  };
}
