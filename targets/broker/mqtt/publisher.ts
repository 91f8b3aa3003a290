/**
 * The mqtt backend's publisher connection: QoS 1 publishes in order, each answered exactly once (PUBACK, refusal,
 * timeout, or the connection's end), and never more on the wire than the server's Receive Maximum.
 */
import { performance } from 'node:perf_hooks';
import type { MqttClient } from 'mqtt';

/** How a publish ended; `error` is the server's refusal (a PUBACK reason code >= 0x80) or MQTT.js's error. */
export type PublishOutcome = { ok: true } | { ok: false; error: Error | undefined; timedOut: boolean };

interface Pending {
  topic: string;
  /** The PUBLISH payload until it is sent. */
  body: Buffer | undefined;
  deadline: number;
  done: (o: PublishOutcome) => void;
}

const TIMED_OUT: PublishOutcome = { ok: false, error: undefined, timedOut: true };

export class MqttPublisher {
  /** Publishes not answered yet, oldest first (PUBACKs come in order, so the timeout check stops at the first live one). */
  private readonly pending = new Set<Pending>();
  private onWire = 0;
  private readonly waiting: (Pending | undefined)[] = [];
  private head = 0;

  /**
   * @param window the server's Receive Maximum (CONNACK): QoS 1 publishes it takes unacknowledged. MQTT.js does not
   * hold to it (Mosquitto 2.0.11 tolerates that; a stricter server disconnects with 0x93), so later ones wait here.
   * @param timeoutMs a publish not confirmed this long after `send` is answered as timed out
   */
  constructor(
    private readonly client: MqttClient,
    private readonly window: number,
    private readonly timeoutMs: number,
  ) {}

  /** Sends (or queues) one QoS 1 PUBLISH; `done` is called once. */
  send(topic: string, body: Buffer, done: (o: PublishOutcome) => void): void {
    const p: Pending = { topic, body, deadline: performance.now() + this.timeoutMs, done };
    this.pending.add(p);
    if (this.onWire < this.window && this.head === this.waiting.length) this.transmit(p);
    else this.waiting.push(p);
  }

  private transmit(p: Pending): void {
    const body = p.body ?? Buffer.alloc(0);
    p.body = undefined;
    this.onWire++;
    this.client.publish(p.topic, body, { qos: 1 }, (err) => {
      this.onWire--;
      this.answer(p, err === undefined || err === null ? { ok: true } : { ok: false, error: err, timedOut: false });
      this.sendWaiting();
    });
  }

  /** Sends waiting publishes while the window has room, skipping ones answered meanwhile (timed out). */
  private sendWaiting(): void {
    const q = this.waiting;
    while (this.onWire < this.window && this.head < q.length) {
      const p = q[this.head]!;
      q[this.head++] = undefined;
      if (this.pending.has(p)) this.transmit(p);
    }
    if (this.head === q.length) {
      q.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > q.length) {
      q.splice(0, this.head);
      this.head = 0;
    }
  }

  private answer(p: Pending, o: PublishOutcome): void {
    if (this.pending.delete(p)) p.done(o);
  }

  /** Answers publishes past their deadline as timed out (a sent one still holds its window slot until its PUBACK). */
  expire(now: number): void {
    for (const p of this.pending) {
      if (p.deadline > now) break;
      this.answer(p, TIMED_OUT);
    }
  }

  /** Answers every open publish with `o` (the connection is gone, or the backend closes): MQTT.js would keep them forever. */
  failAll(o: PublishOutcome): void {
    for (const p of [...this.pending]) this.answer(p, o);
    this.waiting.length = 0;
    this.head = 0;
  }
}
