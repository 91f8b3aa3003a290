/** Counts a server's open TCP connections (current and peak) for `/stats`. */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** Live connection counts. */
export interface ConnectionCounts {
  current: number;
  peak: number;
}

/** Tracks sockets of `server` from now on; the returned object is updated in place (read it any time). */
export function trackConnections(server: Server): ConnectionCounts {
  const counts: ConnectionCounts = { current: 0, peak: 0 };
  const onClose = (): void => {
    counts.current--;
  };
  server.on('connection', (socket: Socket) => {
    counts.current++;
    if (counts.current > counts.peak) counts.peak = counts.current;
    socket.once('close', onClose);
  });
  return counts;
}
