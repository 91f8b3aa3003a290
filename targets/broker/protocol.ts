/**
 * Client → broker frames: JSON text, one object per WebSocket message, told apart by `op`.
 * Parsing never throws: a bad frame becomes a sentence naming the field and what is allowed,
 * which the session sends back in an error frame. See README.md "Protocol".
 */
import { nestedDeeperThan } from '../common/json-depth.ts';
import { showValue } from '../common/show-value.ts';

/**
 * Topics, groups, durable names, message and correlation ids: 1 to 128 of `[A-Za-z0-9_.:-]`.
 * Safe in JSON without escaping, so server frames are built by concatenation.
 */
export const NAME_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
/** Prefetch bounds (outstanding unacked deliveries per consumer). */
export const PREFETCH_MAX = 65_536;
/** Most sequence numbers one ack or nack frame may settle. */
export const SETTLE_BATCH_MAX = 1000;
/** Deepest nesting of arrays and objects a frame may have (the frame object itself is level 1). */
export const MAX_NESTING = 128;
/** Ack timeout bounds, ms. */
export const ACK_TIMEOUT_MIN_MS = 10;
export const ACK_TIMEOUT_MAX_MS = 3_600_000;

export interface PublishFrame {
  op: 'pub';
  topic: string;
  id: string;
  cid: string | undefined;
  /** The payload, any JSON value, as parsed. */
  data: unknown;
}

export interface SubscribeFrame {
  op: 'sub';
  topic: string;
  group: string | undefined;
  durable: string | undefined;
  /** Manual ack mode (`"ack": true`, the default) or no-ack mode. */
  ack: boolean;
  prefetch: number;
  ackTimeoutMs: number;
}

export interface SettleFrame {
  op: 'ack' | 'nack';
  topic: string;
  /** The deliveries settled: `[seq]` for the single form, the `seqs` array for a batch. */
  seqs: number[];
  /** Sent as a batch (`seqs`): the receipt then counts instead of naming a seq. */
  batch: boolean;
  /** Answer with an `acked`/`nacked` receipt (default false: acks are fire-and-forget). */
  receipt: boolean;
}

export interface UnsubscribeFrame {
  op: 'unsub';
  topic: string;
}

export type ClientFrame = PublishFrame | SubscribeFrame | SettleFrame | UnsubscribeFrame;

export type ParseResult =
  | { ok: true; frame: ClientFrame }
  /** `id` and `topic` of the bad frame when they could be read, so the client can match the error. */
  | { ok: false; message: string; id?: string; topic?: string };

/** Defaults the broker applies to subscribe frames that leave them out. */
export interface SubscribeDefaults {
  prefetch: number;
  ackTimeoutMs: number;
}

/** Fields each op accepts: anything else is refused, so a misspelt option is not silently ignored. */
const FIELDS: Record<ClientFrame['op'], ReadonlySet<string>> = {
  pub: new Set(['op', 'topic', 'id', 'cid', 'data']),
  sub: new Set(['op', 'topic', 'group', 'durable', 'ack', 'prefetch', 'ackTimeoutMs']),
  ack: new Set(['op', 'topic', 'seq', 'seqs', 'receipt']),
  nack: new Set(['op', 'topic', 'seq', 'seqs', 'receipt']),
  unsub: new Set(['op', 'topic']),
};

const OPS = Object.keys(FIELDS).join(', ');

type Json = Record<string, unknown>;

function name(o: Json, field: string, required: boolean): string | undefined | Error {
  const v = o[field];
  if (v === undefined && !required) return undefined;
  if (typeof v === 'string' && NAME_PATTERN.test(v)) return v;
  return new Error(`${field} ${v === undefined ? 'is missing' : `${showValue(v)} is invalid`}: expected 1 to 128 characters from [A-Za-z0-9_.:-]`);
}

function integer(o: Json, field: string, min: number, max: number, fallback: number | undefined): number | Error {
  const v = o[field];
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
  return new Error(`${field} ${v === undefined ? 'is missing' : `${showValue(v)} is invalid`}: expected an integer from ${min} to ${max}`);
}

function flag(o: Json, field: string, fallback: boolean): boolean | Error {
  const v = o[field];
  if (v === undefined) return fallback;
  if (typeof v === 'boolean') return v;
  return new Error(`${field} ${showValue(v)} is invalid: expected true or false`);
}

/**
 * An ack or nack exactly as clients usually write it. Acks are the most frequent frame (one per delivery),
 * so this form skips JSON.parse; anything else (other field order, spaces, a receipt) takes the full path.
 */
const PLAIN_SETTLE = /^\{"op":"(ack|nack)","topic":"([A-Za-z0-9_.:-]{1,128})","seq":([1-9]\d{0,14})\}$/;
/** A batch ack or nack in its plain form (no receipt): `seqs` read by splitting, no JSON.parse. */
const PLAIN_SETTLE_BATCH = /^\{"op":"(ack|nack)","topic":"([A-Za-z0-9_.:-]{1,128})","seqs":\[([1-9]\d{0,14}(?:,[1-9]\d{0,14})*)\]\}$/;

/**
 * The envelope of a publish exactly as clients usually write it, up to the payload. Publishes are the other
 * frequent frame: this form parses only `data` as JSON instead of the whole frame (about half the parse time,
 * and a correlation id then costs one capture instead of a JSON string the parser interns).
 */
const PLAIN_PUBLISH = /^\{"op":"pub","topic":"([A-Za-z0-9_.:-]{1,128})","id":"([A-Za-z0-9_.:-]{1,128})"(?:,"cid":"([A-Za-z0-9_.:-]{1,128})")?,"data":/;

/** Length of `{"op":"pub","topic":"`. */
const PUBLISH_HEAD = 21;

/**
 * Parses one text frame.
 * @param bytes the frame as received, when the caller has it: names are copied out of it, so a message held in a
 *   backlog keeps small strings of its own rather than slices that pin the whole frame text (default: from `text`)
 */
export function parseClientFrame(text: string, defaults: SubscribeDefaults, bytes?: Buffer): ParseResult {
  const first = text.charCodeAt(7); // first letter of the op in `{"op":"...`
  if (first === 97 /* a */ || first === 110 /* n */) {
    const single = text.length < 200 ? PLAIN_SETTLE.exec(text) : null;
    if (single !== null) return { ok: true, frame: { op: single[1] as 'ack' | 'nack', topic: single[2]!, seqs: [Number(single[3])], batch: false, receipt: false } };
    const batch = PLAIN_SETTLE_BATCH.exec(text);
    if (batch !== null) {
      const seqs = batch[3]!.split(',').map(Number);
      if (seqs.length <= SETTLE_BATCH_MAX) return { ok: true, frame: { op: batch[1] as 'ack' | 'nack', topic: batch[2]!, seqs, batch: true, receipt: false } };
    }
  } else if (first === 112 /* p */ && text.charCodeAt(text.length - 1) === 125 /* } */) {
    const fast = plainPublish(text, bytes ?? Buffer.from(text, 'latin1'));
    if (fast !== undefined) return text.length > DEPTH_CHECK_LENGTH && nestedDeeperThan(fast.data, MAX_NESTING - 1) ? TOO_DEEP : { ok: true, frame: fast };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `frame is not valid JSON (${(err as Error).message}): send one JSON object per message, e.g. {"op":"pub","topic":"t","id":"m1","data":"hi"}` };
  }
  // JSON.parse takes any depth but JSON.stringify (deliveries, error excerpts) recurses: a publish whose data was
  // ~4000 arrays deep, or a frame with such a topic, overflowed the stack and crashed the broker (fuzz.test.ts).
  if (text.length > DEPTH_CHECK_LENGTH && nestedDeeperThan(value, MAX_NESTING)) return TOO_DEEP;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: `frame must be a JSON object with an "op" field, got ${showValue(value)}` };
  }
  const o = value as Json;
  const op = o.op;
  if (typeof op !== 'string' || !Object.hasOwn(FIELDS, op)) return { ok: false, message: `op ${showValue(op)} is unknown: expected one of ${OPS}` };
  const allowed = FIELDS[op as ClientFrame['op']];
  for (const key in o) if (!allowed.has(key)) return bad(o, `field ${showValue(key)} is not allowed; ${op} takes ${[...allowed].join(', ')}`);

  const topic = name(o, 'topic', true);
  if (topic instanceof Error) return bad(o, topic.message);
  switch (op) {
    case 'pub': {
      const id = name(o, 'id', true);
      if (id instanceof Error) return bad(o, id.message);
      const cid = name(o, 'cid', false);
      if (cid instanceof Error) return bad(o, cid.message);
      if (o.data === undefined) return bad(o, 'data is missing: give the payload, any JSON value');
      return { ok: true, frame: { op, topic: topic!, id: id!, cid, data: o.data } };
    }
    case 'sub': {
      const group = name(o, 'group', false);
      if (group instanceof Error) return bad(o, group.message);
      const durable = name(o, 'durable', false);
      if (durable instanceof Error) return bad(o, durable.message);
      if (group !== undefined && durable !== undefined) {
        return bad(o, 'give either group or durable, not both: consumers using the same durable name already share it like a group');
      }
      const ack = flag(o, 'ack', true);
      if (ack instanceof Error) return bad(o, ack.message);
      const prefetch = integer(o, 'prefetch', 1, PREFETCH_MAX, defaults.prefetch);
      if (prefetch instanceof Error) return bad(o, prefetch.message);
      const ackTimeoutMs = integer(o, 'ackTimeoutMs', ACK_TIMEOUT_MIN_MS, ACK_TIMEOUT_MAX_MS, defaults.ackTimeoutMs);
      if (ackTimeoutMs instanceof Error) return bad(o, ackTimeoutMs.message);
      return { ok: true, frame: { op, topic: topic!, group, durable, ack, prefetch, ackTimeoutMs } };
    }
    case 'ack':
    case 'nack': {
      const receipt = flag(o, 'receipt', false);
      if (receipt instanceof Error) return bad(o, receipt.message);
      if (o.seqs !== undefined) {
        if (o.seq !== undefined) return bad(o, 'give seq (one delivery) or seqs (a batch), not both');
        const seqs = o.seqs;
        if (!validSeqs(seqs)) return bad(o, `seqs ${showValue(seqs)} is invalid: expected an array of 1 to ${SETTLE_BATCH_MAX} sequence numbers (integers >= 1)`);
        return { ok: true, frame: { op, topic: topic!, seqs, batch: true, receipt } };
      }
      const seq = integer(o, 'seq', 1, Number.MAX_SAFE_INTEGER, undefined);
      if (seq instanceof Error) return bad(o, `${seq.message} (or seqs, an array, to settle a batch)`);
      return { ok: true, frame: { op, topic: topic!, seqs: [seq], batch: false, receipt } };
    }
    default:
      return { ok: true, frame: { op: 'unsub', topic: topic! } };
  }
}

/**
 * The publish fast path; undefined when the frame is not in the plain form (the full parser then decides,
 * so both paths accept exactly the same frames with the same result).
 */
function plainPublish(text: string, bytes: Buffer): PublishFrame | undefined {
  const m = PLAIN_PUBLISH.exec(text);
  if (m === null) return undefined;
  let data: unknown;
  try {
    // A valid JSON value followed by the closing brace makes the whole frame a valid object.
    data = JSON.parse(text.slice(m[0].length, -1));
  } catch {
    return undefined;
  }
  // The envelope is ASCII, so string offsets are byte offsets.
  const topicEnd = PUBLISH_HEAD + m[1]!.length;
  const idStart = topicEnd + 8; // `","id":"`
  const idEnd = idStart + m[2]!.length;
  const id = own(m[2]!, bytes, idStart);
  const cid = m[3] === undefined ? undefined : own(m[3], bytes, idEnd + 9); // `","cid":"`
  return { op: 'pub', topic: m[1]!, id, cid, data };
}

/**
 * V8 shares memory between a string and its substrings of 13 or more characters (a slice keeps the whole
 * frame text alive); shorter ones are copies already. A long name held by a message is copied out of the
 * received bytes instead (a native call, so only when needed: it costs about 100 ns).
 */
const SLICE_MIN = 13;
function own(capture: string, bytes: Buffer, start: number): string {
  return capture.length < SLICE_MIN ? capture : bytes.toString('latin1', start, start + capture.length);
}

/**
 * A refusal naming the op, with the frame's id and topic when it had them (so the client can match it).
 * A plain function, not a closure per frame: this module runs once per message.
 */
function bad(o: Json, message: string): ParseResult {
  const r: ParseResult = { ok: false, message: `${String(o.op)}: ${message}` };
  if (typeof o.id === 'string') r.id = o.id.slice(0, 128);
  if (typeof o.topic === 'string') r.topic = o.topic.slice(0, 128);
  return r;
}

function validSeqs(seqs: unknown): seqs is number[] {
  if (!Array.isArray(seqs) || seqs.length < 1 || seqs.length > SETTLE_BATCH_MAX) return false;
  for (const s of seqs) if (!Number.isSafeInteger(s) || (s as number) < 1) return false;
  return true;
}

/** JSON text this short cannot nest deeper than MAX_NESTING (each level takes two brackets): not walked. */
const DEPTH_CHECK_LENGTH = 2 * MAX_NESTING;
const TOO_DEEP: ParseResult = { ok: false, message: `frame nests arrays/objects deeper than ${MAX_NESTING} levels: flatten the payload (data)` };

