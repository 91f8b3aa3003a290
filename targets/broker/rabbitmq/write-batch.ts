/**
 * Coalesces what amqplib writes to its socket in one event-loop turn into one write. With Nagle off (needed:
 * with it on, small publishes and acks waited for the server's delayed ACK, ~8x slower end to end) every AMQP
 * frame would otherwise be its own syscall and TCP segment.
 */
import { Socket } from 'node:net';
import type { ChannelModel } from 'amqplib';

/**
 * Returns `batch()`: call it right after a channel operation. It corks the socket and uncorks it with a
 * setImmediate queued after amqplib's own (its muxer writes the frames of a turn from a setImmediate queued by
 * the operation), so those frames leave in one write. A no-op when the socket cannot be found.
 */
export function writeBatcher(model: ChannelModel): () => void {
  // amqplib keeps the socket on `connection.stream`, which its typings do not declare.
  const stream = (model.connection as { stream?: unknown }).stream;
  if (!(stream instanceof Socket)) return () => {};
  let corked = false;
  const uncork = (): void => {
    corked = false;
    stream.uncork();
  };
  return () => {
    if (corked) return;
    corked = true;
    stream.cork();
    setImmediate(uncork);
  };
}
