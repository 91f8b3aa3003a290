/**
 * Counts the TCP connections that carried at least one protocol request (current and peak),
 * so `/stats` reports the load's connections and not the harness's own `/stats` scrapes.
 */
import type { Socket } from 'node:net';
import type { ConnectionCounts } from './connections.ts';

/** Marks sockets as protocol connections; `counts` is updated in place (read it any time). */
export interface ConnectionMarker {
  readonly counts: ConnectionCounts;
  /** Counts `socket` once, from its first protocol request until it closes. */
  mark(socket: Socket): void;
}

export function createConnectionMarker(): ConnectionMarker {
  const counts: ConnectionCounts = { current: 0, peak: 0 };
  const seen = new WeakSet<Socket>();
  const onClose = (): void => {
    counts.current--;
  };
  return {
    counts,
    mark(socket) {
      // A socket already closed would never fire 'close' again: counting it would leak a count.
      if (seen.has(socket) || socket.destroyed) return;
      seen.add(socket);
      counts.current++;
      if (counts.current > counts.peak) counts.peak = counts.current;
      socket.once('close', onClose);
    },
  };
}
