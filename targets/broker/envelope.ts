/**
 * A broker message as the real backends carry it (an AMQP body, an MQTT payload): the fields their protocols
 * do not have (per-topic seq, ids, accept time, the size it counts for) with the client's data, as one JSON
 * object, so a consumer rebuilds the same `Message`. The topic travels as the backend's own routing key or topic.
 */
import type { Message } from './backend.ts';

interface Envelope {
  seq: number;
  id: string;
  /** Left out when absent (JSON.stringify drops undefined). */
  cid?: string | undefined;
  t: number;
  /** What the message counts for against the backlog byte bound (the publish frame's size). */
  bytes: number;
  data: unknown;
}

export function encodeEnvelope(m: Omit<Message, 'topic' | 'payload'> & { data: unknown }): Buffer {
  const e: Envelope = { seq: m.seq, id: m.id, cid: m.cid, t: m.t, bytes: m.bytes, data: m.data };
  return Buffer.from(JSON.stringify(e), 'utf8');
}

/**
 * Rebuilds the message, or undefined when the body is not an envelope (something else published to the shared
 * server): the caller settles and skips it, never hands it to a client.
 * @param topic the broker topic (the subscription's own string, not a copy per message)
 */
export function decodeEnvelope(topic: string, body: Buffer | string): Message | undefined {
  let value: unknown;
  try {
    value = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || !('data' in value)) return undefined;
  const e = value as Partial<Envelope>;
  const { seq, id, cid, t, bytes } = e;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return undefined;
  if (typeof id !== 'string' || typeof t !== 'number' || !Number.isFinite(t)) return undefined;
  if (cid !== undefined && typeof cid !== 'string') return undefined;
  const size = typeof bytes === 'number' && Number.isFinite(bytes) && bytes >= 0 ? bytes : body.length;
  return { topic, seq, id, cid, t, payload: e.data, bytes: size };
}
