/**
 * Decoding of one batch: a `POST /ticks` body or one WebSocket message. Three shapes are
 * accepted, so a curl user and a fast client both have a natural form:
 * a tick object, an array of ticks, or an envelope `{"id": any, "time": T, "ticks": [...]}`
 * whose `id` is echoed in the reply (WebSocket clients use it to match acks) and whose
 * optional `time` is the client time of every tick without its own (a sender stamps a batch
 * once instead of each tick).
 */
import { nestedDeeperThan } from '../common/json-depth.ts';
import { show, type RejectReason } from './tick.ts';

/** Deepest nesting of arrays/objects in an envelope `id` (it is echoed in the reply). */
export const MAX_ID_NESTING = 32;

/** A decoded batch: its raw tick values (validated one by one later) and the envelope id. */
export type BatchResult =
  | { ok: true; items: unknown[]; id: unknown; time: number | undefined }
  | { ok: false; reason: RejectReason; error: string; id: unknown };

/**
 * Decodes `text`. Never throws.
 * @param maxTicks most ticks accepted in one batch; more is refused as a whole (`oversizedBatch`)
 */
export function parseBatch(text: string, maxTicks: number): BatchResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: 'malformedJson', error: `malformed JSON: ${(err as Error).message}`, id: undefined };
  }
  let items: unknown[];
  let id: unknown;
  let time: number | undefined;
  if (Array.isArray(value)) {
    items = value;
  } else if (typeof value === 'object' && value !== null && 'ticks' in value) {
    const envelope = value as { ticks: unknown; id?: unknown; time?: unknown };
    id = envelope.id;
    // The id is echoed through JSON.stringify, which recurses: an id ~5000 arrays deep overflowed the stack
    // and crashed the engine (bad-input.test.ts). Refused here, and not echoed.
    if (nestedDeeperThan(id, MAX_ID_NESTING)) {
      return { ok: false, reason: 'badBatch', error: `"id" nests arrays/objects deeper than ${MAX_ID_NESTING} levels: use a number or a string`, id: undefined };
    }
    if (!Array.isArray(envelope.ticks)) {
      return { ok: false, reason: 'badBatch', error: '"ticks" must be an array of tick objects', id };
    }
    if (envelope.time !== undefined) {
      if (typeof envelope.time !== 'number' || !Number.isFinite(envelope.time) || envelope.time < 0) {
        return { ok: false, reason: 'badBatch', error: `"time" must be the sender's clock in ms since the Unix epoch (a number >= 0), got ${show(envelope.time)}`, id };
      }
      time = envelope.time;
    }
    items = envelope.ticks;
  } else if (typeof value === 'object' && value !== null) {
    items = [value];
  } else {
    return { ok: false, reason: 'badBatch', error: 'expected a tick object, an array of ticks, or {"id":..., "time":..., "ticks":[...]}', id: undefined };
  }
  if (items.length > maxTicks) {
    return {
      ok: false,
      reason: 'oversizedBatch',
      error: `batch of ${items.length} ticks exceeds the limit of ${maxTicks}: split it (or raise TIDEMARK_PE_MAX_BATCH)`,
      id,
    };
  }
  return { ok: true, items, id, time };
}
