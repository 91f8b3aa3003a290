/**
 * Broker → client frames. Names and ids match NAME_PATTERN (no JSON escaping needed) and the payload is
 * already JSON text, so frames are built by concatenation: no JSON.stringify on the delivery path.
 */
import type { Message } from './backend.ts';

/** Every delivery starts with this; a redelivery inserts its attempt number right after it. */
const MSG_HEAD = '{"op":"msg",';

/** First delivery of a message: `{"op":"msg","topic","seq","id","cid"?,"t","data"}`. Shared by every subscriber. */
export function deliveryFrame(m: Message): string {
  const cid = m.cid === undefined ? '' : `"cid":"${m.cid}",`;
  return `${MSG_HEAD}"topic":"${m.topic}","seq":${m.seq},"id":"${m.id}",${cid}"t":${m.t.toFixed(3)},"data":${m.payload}}`;
}

/** A redelivery: the delivery frame with `"attempt":n` (absent means 1). */
export function redeliveryFrame(delivery: string, attempt: number): string {
  return `${MSG_HEAD}"attempt":${attempt},${delivery.slice(MSG_HEAD.length)}`;
}

/** Publisher confirm: `{"op":"ok","id","cid"?,"seq","t"}` (`t` is the accept time deliveries carry). */
export function confirmFrame(id: string, cid: string | undefined, seq: number, t: number): string {
  const c = cid === undefined ? '' : `"cid":"${cid}",`;
  return `{"op":"ok","id":"${id}",${c}"seq":${seq},"t":${t.toFixed(3)}}`;
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
  | 'shutting_down';

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
