/** Validation of `GET /events` parameters: every error names the parameter and the allowed range. */

export const DEFAULT_RATE = 10;
export const MAX_RATE = 1000;
export const DEFAULT_SIZE = 64;
export const MAX_SIZE = 65536;
/** Topic names: safe in JSON and URLs without escaping, so frames are built by concatenation. */
export const TOPIC_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** A validated stream request. */
export interface StreamRequest {
  /** Events per second on this stream. */
  rate: number;
  /** Payload bytes per event (`p` field). */
  size: number;
  /** Whether rate/size were given explicitly (only explicit values can conflict with a topic's). */
  rateGiven: boolean;
  sizeGiven: boolean;
  /** Topic to join, or undefined for a private stream. */
  topic: string | undefined;
  /** Id of the last event the client has seen (`Last-Event-ID` header, else `lastEventId` query). */
  lastEventId: number | undefined;
}

export type ParseResult = { ok: true; value: StreamRequest } | { ok: false; error: string };

const DECIMAL = /^(\d+(\.\d*)?|\.\d+)$/;
const INTEGER = /^\d{1,15}$/;

/** Parses query and header; never throws. */
export function parseStreamRequest(query: URLSearchParams, lastEventIdHeader: string | undefined): ParseResult {
  const rawRate = query.get('rate');
  const rawSize = query.get('size');
  const rawTopic = query.get('topic');
  const rawLast = lastEventIdHeader !== undefined && lastEventIdHeader !== '' ? lastEventIdHeader : query.get('lastEventId');

  const rate = rawRate === null ? DEFAULT_RATE : Number(rawRate);
  if (rawRate !== null && (!DECIMAL.test(rawRate) || !(rate > 0) || rate > MAX_RATE)) {
    return { ok: false, error: `rate=${JSON.stringify(rawRate)} is invalid: expected events per second per stream, a number with 0 < rate <= ${MAX_RATE} (default ${DEFAULT_RATE})` };
  }
  const size = rawSize === null ? DEFAULT_SIZE : Number(rawSize);
  if (rawSize !== null && (!INTEGER.test(rawSize) || size > MAX_SIZE)) {
    return { ok: false, error: `size=${JSON.stringify(rawSize)} is invalid: expected payload bytes, an integer from 0 to ${MAX_SIZE} (default ${DEFAULT_SIZE})` };
  }
  if (rawTopic !== null && !TOPIC_PATTERN.test(rawTopic)) {
    return { ok: false, error: `topic=${JSON.stringify(rawTopic.slice(0, 80))} is invalid: expected 1 to 64 characters from [A-Za-z0-9_.-]` };
  }
  let lastEventId: number | undefined;
  if (rawLast !== null && rawLast !== undefined) {
    if (!INTEGER.test(rawLast)) {
      return { ok: false, error: `Last-Event-ID ${JSON.stringify(rawLast.slice(0, 40))} is invalid: expected the integer id of the last event received (header Last-Event-ID or query lastEventId)` };
    }
    lastEventId = Number(rawLast);
  }
  return {
    ok: true,
    value: { rate, size, rateGiven: rawRate !== null, sizeGiven: rawSize !== null, topic: rawTopic ?? undefined, lastEventId },
  };
}
