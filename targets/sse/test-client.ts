/**
 * A minimal SSE client for tests: a real HTTP stream parsed by eventsource-parser.
 * Records each event with its receive time on the same clock the server stamps `t` with.
 */
import { get, type IncomingHttpHeaders } from 'node:http';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { nowEpochMs } from './frame.ts';

export interface ReceivedEvent extends EventSourceMessage {
  /** ms since the epoch (performance clock) when the event was parsed. */
  receivedAt: number;
}

export interface TestClient {
  status: number;
  headers: IncomingHttpHeaders;
  events: ReceivedEvent[];
  comments: string[];
  retry: number | undefined;
  /** Body text of a non-200 answer. */
  body: string;
  /** Resolves when the server closed the stream. */
  ended: Promise<void>;
  /** Resolves once `predicate` holds (checked on every event), rejects after `timeoutMs` (default 3000). */
  waitFor(predicate: (c: TestClient) => boolean, timeoutMs?: number): Promise<void>;
  close(): void;
}

/** Opens `url`; resolves when the response headers (and, for errors, the body) arrived. */
export function openSse(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
  return new Promise((resolve, reject) => {
    const req = get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const waiters = new Set<() => void>();
      let endResolve: () => void = () => {};
      const client: TestClient = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events: [],
        comments: [],
        retry: undefined,
        body: '',
        ended: new Promise((r) => (endResolve = r)),
        waitFor(predicate, timeoutMs = 3000) {
          if (predicate(client)) return Promise.resolve();
          return new Promise((ok, fail) => {
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`waitFor timed out after ${timeoutMs} ms with ${client.events.length} events`));
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
        close() {
          req.destroy();
        },
      };
      const parser = createParser({
        onEvent: (e) => {
          client.events.push({ ...e, receivedAt: nowEpochMs() });
          for (const w of [...waiters]) w();
        },
        onComment: (c) => client.comments.push(c.trim()),
        onRetry: (r) => (client.retry = r),
      });
      res.setEncoding('utf8');
      res.on('close', () => endResolve());
      if (client.status !== 200) {
        res.on('data', (chunk: string) => (client.body += chunk));
        res.on('end', () => resolve(client));
        return;
      }
      res.on('data', (chunk: string) => parser.feed(chunk));
      resolve(client);
    });
    req.on('error', (err) => {
      if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err);
    });
  });
}

/** Ids of the `tick` events, as numbers. */
export function tickIds(c: TestClient): number[] {
  return c.events.filter((e) => e.event === 'tick').map((e) => Number(e.id));
}

/** The last tick id received, or 0. */
export function lastId(c: TestClient): number {
  const ids = tickIds(c);
  return ids[ids.length - 1] ?? 0;
}
