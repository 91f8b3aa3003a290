/**
 * A WebSocket client for tests and benchmarks, on the `ws` library (a third-party client, not our own
 * server code): records every broker frame with its receive time on the broker's clock.
 */
import { WebSocket } from 'ws';
import { nowEpochMs } from '../common/clock.ts';

/** A broker frame as received (fields per op, see README.md), plus `receivedAt`. */
export interface Frame {
  op: string;
  receivedAt: number;
  [field: string]: unknown;
}

export interface BrokerClient {
  readonly ws: WebSocket;
  readonly frames: Frame[];
  /** Close code and reason once closed. */
  closed: Promise<{ code: number; reason: string }>;
  /** Sends an object as JSON text. */
  send(frame: object): void;
  /** Sends raw text or bytes (for malformed-frame tests). */
  sendRaw(data: string | Buffer, binary?: boolean): void;
  /** Frames with this op. */
  ofOp(op: string): Frame[];
  /** Resolves once `predicate` holds (checked on each frame), rejects after `timeoutMs` (default 3000). */
  waitFor(predicate: (c: BrokerClient) => boolean, timeoutMs?: number): Promise<void>;
  /** Sends `sub` and waits for its `subscribed` or `error` answer. */
  subscribe(topic: string, extra?: object): Promise<Frame>;
  close(): void;
}

/** Connects to `url` (ws://host:port/ws); resolves once open. */
export function connectBroker(url: string): Promise<BrokerClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const waiters = new Set<() => void>();
    let closedResolve: (v: { code: number; reason: string }) => void = () => {};
    const client: BrokerClient = {
      ws,
      frames: [],
      closed: new Promise((r) => (closedResolve = r)),
      send: (frame) => ws.send(JSON.stringify(frame)),
      sendRaw: (data, binary = false) => ws.send(data, { binary }),
      ofOp: (op) => client.frames.filter((f) => f.op === op),
      waitFor(predicate, timeoutMs = 3000) {
        if (predicate(client)) return Promise.resolve();
        return new Promise((ok, fail) => {
          const timer = setTimeout(() => {
            waiters.delete(check);
            fail(new Error(`waitFor timed out after ${timeoutMs} ms; last frames: ${JSON.stringify(client.frames.slice(-3))}`));
          }, timeoutMs);
          const check = (): void => {
            if (!predicate(client)) return;
            clearTimeout(timer);
            waiters.delete(check);
            ok();
          };
          waiters.add(check);
        });
      },
      async subscribe(topic, extra = {}) {
        const before = client.frames.length;
        client.send({ op: 'sub', topic, ...extra });
        const answer = (): Frame | undefined =>
          client.frames.slice(before).find((f) => (f.op === 'subscribed' || f.op === 'error') && f.topic === topic);
        await client.waitFor(() => answer() !== undefined);
        return answer()!;
      },
      close: () => ws.close(),
    };
    ws.on('message', (data, isBinary) => {
      const receivedAt = nowEpochMs();
      const text = isBinary ? '' : (data as Buffer).toString('utf8');
      client.frames.push({ ...(JSON.parse(text) as { op: string }), receivedAt });
      for (const w of [...waiters]) w();
    });
    ws.on('close', (code, reason) => {
      closedResolve({ code, reason: reason.toString() });
      for (const w of [...waiters]) w();
    });
    ws.once('open', () => resolve(client));
    ws.once('error', reject);
  });
}
