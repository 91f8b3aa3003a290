/**
 * Broker → client frames. Names and ids match NAME_PATTERN (no JSON escaping needed) and the payload is
 * already JSON text, so frames are built by concatenation: no JSON.stringify on the delivery path.
 */
import type { Message } from './backend.ts';

/** Every delivery starts with this; a redelivery inserts its attempt number right after it. */
const MSG_HEAD = '{"op":"msg",';

/**
 * A time stamp with at most 3 decimals (µs). The shortest round-trip form of the rounded value never has
 * more digits, and it is about 4x cheaper than `toFixed(3)` on the delivery path.
 */
export function formatTime(t: number): string {
  return String(Math.round(t * 1000) / 1000);
}

/** Delivery of a message: `{"op":"msg","topic","seq","id","cid"?,"t","data"}` (attempt absent means 1). */
export function deliveryFrame(m: Message, attempt = 1): string {
  const head = attempt === 1 ? MSG_HEAD : `${MSG_HEAD}"attempt":${attempt},`;
  const cid = m.cid === undefined ? '' : `"cid":"${m.cid}",`;
  return `${head}"topic":"${m.topic}","seq":${m.seq},"id":"${m.id}",${cid}"t":${formatTime(m.t)},"data":${JSON.stringify(m.payload)}}`;
}

let lastMessage: Message | undefined;
let lastBytes: Buffer = Buffer.alloc(0);

/**
 * The first delivery of `m` as UTF-8 bytes. A publish is handed to all its subscribers one after the other
 * in one pass, so a one-slot cache makes that one encoding per message (not per subscriber) without keeping
 * encoded bytes on messages held in a backlog. Writing bytes also spares the socket a string encode per send.
 */
export function deliveryBytes(m: Message): Buffer {
  if (m !== lastMessage) {
    lastBytes = Buffer.from(deliveryFrame(m), 'utf8');
    lastMessage = m;
  }
  return lastBytes;
}

/**
 * Publisher confirm: `{"op":"ok","id","seq","t"}` (`t` is the accept time deliveries carry). The id names the
 * publish; the correlation id is not echoed here (the publisher has it), only in deliveries, where it is news.
 */
export function confirmFrame(id: string, seq: number, t: number): string {
  return `{"op":"ok","id":"${id}","seq":${seq},"t":${formatTime(t)}}`;
}

/** Error codes a client can receive. */
export type ErrorCode =
  | 'bad_frame'
  | 'too_large'
  | 'backlog_full'
  | 'injected'
  | 'limit'
  | 'conflict'
  | 'not_subscribed'
  | 'shutting_down'
  | 'unsupported'
  | 'unavailable';

/** What an error refers to, so the client can match it with its request. */
export interface ErrorRef {
  id?: string | undefined;
  topic?: string | undefined;
  seq?: number | undefined;
}

/** `{"op":"error","code","message","id"?,"topic"?,"seq"?}`; the message says what was wrong and what to do. */
export function errorFrame(code: ErrorCode, message: string, ref: ErrorRef = {}): string {
  return JSON.stringify({ op: 'error', code, message, ...definedOnly(ref) });
}

function definedOnly(ref: ErrorRef): ErrorRef {
  const out: ErrorRef = {};
  if (ref.id !== undefined) out.id = ref.id;
  if (ref.topic !== undefined) out.topic = ref.topic;
  if (ref.seq !== undefined) out.seq = ref.seq;
  return out;
}

/** Answer to a subscribe. */
export interface SubscribedInfo {
  topic: string;
  ack: boolean;
  prefetch: number;
  ackTimeoutMs: number;
  group: string | undefined;
  durable: string | undefined;
  /** The subscription existed before (durable resume, group join). */
  resumed: boolean;
  /** Messages waiting for it now (delivered right after this frame). */
  backlog: number;
}

export function subscribedFrame(s: SubscribedInfo): string {
  return JSON.stringify({
    op: 'subscribed',
    topic: s.topic,
    mode: s.ack ? 'ack' : 'noack',
    prefetch: s.prefetch,
    ackTimeoutMs: s.ackTimeoutMs,
    ...(s.group === undefined ? {} : { group: s.group }),
    ...(s.durable === undefined ? {} : { durable: s.durable }),
    resumed: s.resumed,
    backlog: s.backlog,
  });
}

export function unsubscribedFrame(topic: string): string {
  return `{"op":"unsubscribed","topic":"${topic}"}`;
}

/** Receipt of an ack or nack that asked for one; `known` is false when the seq was not outstanding. */
export function receiptFrame(op: 'ack' | 'nack', topic: string, seq: number, known: boolean): string {
  return `{"op":"${op}ed","topic":"${topic}","seq":${seq},"known":${known}}`;
}

/** Receipt of a batch (`seqs`): how many it named and how many of those were outstanding. */
export function batchReceiptFrame(op: 'ack' | 'nack', topic: string, count: number, known: number): string {
  return `{"op":"${op}ed","topic":"${topic}","count":${count},"known":${known}}`;
}
