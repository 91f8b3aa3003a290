/** WebSocket side of the cost drivers (the `ws` library; client side, not under valgrind). */
import { WebSocket } from 'ws';
import { REQUEST_TIMEOUT_MS } from './loopback-http.ts';

export interface WsConnection {
  /** Sends one text frame (one write: the target reads it in one go). */
  send(text: string): void;
  /** Closes with the handshake and resolves once the socket has closed on both sides. */
  close(): Promise<void>;
}

/**
 * Connects to `ws://127.0.0.1:<port><path>`; `onMessage` gets each text frame.
 * @throws when the handshake fails or takes longer than {@link REQUEST_TIMEOUT_MS}
 */
export function connectWs(port: number, path: string, onMessage: (text: string) => void): Promise<WsConnection> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { perMessageDeflate: false, handshakeTimeout: REQUEST_TIMEOUT_MS });
    const closed = new Promise<void>((r) => ws.once('close', () => r()));
    ws.on('message', (data, isBinary) => {
      if (!isBinary) onMessage((data as Buffer).toString('utf8'));
    });
    ws.once('error', reject);
    ws.once('open', () =>
      resolve({
        send: (text) => ws.send(text),
        async close() {
          ws.close(1000);
          const timeout = new Promise<never>((_, fail) => setTimeout(() => fail(new Error(`WebSocket ${path}: not closed within ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS).unref());
          await Promise.race([closed, timeout]);
        },
      }),
    );
  });
}
