/** The broker's JSON frames as k6 scenarios send and read them (protocol: targets/broker/README.md). */

/** A broker frame; fields per `op`. */
export interface BrokerFrame {
  op: 'ok' | 'msg' | 'error' | 'subscribed' | 'unsubscribed' | 'acked' | 'nacked';
  topic?: string;
  id?: string;
  seq?: number;
  /** Broker accept time, ms since the epoch. */
  t?: number;
  /** Delivery attempt; absent means 1. */
  attempt?: number;
  code?: string;
  message?: string;
  resumed?: boolean;
  backlog?: number;
  known?: boolean;
}

/** Parses a frame; null when it is not a JSON object with an `op` (counted as an error by the caller). */
export function parseFrame(data: unknown): BrokerFrame | null {
  if (typeof data !== 'string') return null;
  try {
    const f = JSON.parse(data) as BrokerFrame;
    return typeof f === 'object' && f !== null && typeof f.op === 'string' ? f : null;
  } catch {
    return null;
  }
}

export interface SubscribeOptions {
  ack: boolean;
  prefetch: number;
  /** 0: the broker's default. */
  ackTimeoutMs: number;
  durable?: string;
}

export function subscribeFrame(topic: string, o: SubscribeOptions): string {
  return JSON.stringify({
    op: 'sub',
    topic,
    ack: o.ack,
    prefetch: o.prefetch,
    ...(o.ackTimeoutMs > 0 ? { ackTimeoutMs: o.ackTimeoutMs } : {}),
    ...(o.durable ? { durable: o.durable } : {}),
  });
}

/** One ack frame: the single `seq` form for one delivery, a `seqs` batch for more. */
export function ackFrame(topic: string, seqs: number[], receipt: boolean): string {
  const which = seqs.length === 1 ? `"seq":${seqs[0]}` : `"seqs":[${seqs.join(',')}]`;
  return `{"op":"ack","topic":"${topic}",${which}${receipt ? ',"receipt":true' : ''}}`;
}

/**
 * Builds publish frames by concatenation (the payload string is made once). Topic and ids use the
 * broker's name charset, so no escaping is needed.
 * @param size payload bytes (a JSON string of that many `x`)
 * @param cid add a correlation id (`c` + the message id)
 */
export function publishFrameMaker(topic: string, size: number, cid: boolean): (id: string) => string {
  const head = `{"op":"pub","topic":"${topic}","id":"`;
  const tail = `,"data":"${'x'.repeat(size)}"}`;
  return cid ? (id) => `${head}${id}","cid":"c${id}"${tail}` : (id) => `${head}${id}"${tail}`;
}
