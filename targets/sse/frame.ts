/**
 * SSE wire frames. Everything here is ASCII (digits, the topic charset, `x`
 * padding), so a frame's string length is its byte length: no Buffer.byteLength
 * per write.
 */
import { MAX_SIZE } from './params.ts';

/** First bytes of every stream: the client's reconnection delay. */
export const RETRY_FRAME = 'retry: 1000\n\n';
/** Comment line keeping idle connections (and proxies) alive. */
export const HEARTBEAT_FRAME = ': hb\n\n';

/** One shared padding string; payloads are slices of it (V8 keeps slices as views, no copy per size). */
const PADDING = 'x'.repeat(MAX_SIZE);

/** The `p` value for `size` bytes. */
export function payload(size: number): string {
  return PADDING.slice(0, size);
}

/** Wall-clock ms since the epoch with sub-ms precision: one home, targets/common/clock.ts. */
export { nowEpochMs } from '../common/clock.ts';

/**
 * A `tick` event. `t` has µs precision (3 decimals). `topic` is "" on private streams.
 * The caller guarantees `topic` matches TOPIC_PATTERN, so no JSON escaping is needed.
 */
export function eventFrame(seq: number, t: number, topic: string, p: string): string {
  return `id: ${seq}\nevent: tick\ndata: {"seq":${seq},"t":${t.toFixed(3)},"topic":"${topic}","p":"${p}"}\n\n`;
}

/**
 * The loss notice sent before a replay when events `from`..`to` already left the
 * buffer. It has no `id` line, so the client's last event id is unchanged.
 */
export function lostFrame(from: number, to: number): string {
  return `event: lost\ndata: {"lost":${to - from + 1},"from":${from},"to":${to}}\n\n`;
}
