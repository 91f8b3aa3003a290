/** Many sockets against a target: the open-file budget, idle floods and slowloris. */
import { execFileSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { LOOPBACK, assertLoopback, sleep } from './abuse-basics.ts';

/**
 * The process's open-file limit (`ulimit -n`), read through `sh`; `Infinity` when unlimited,
 * `1024` when it cannot be read. A socket costs one descriptor here, and one more in the
 * server when the target runs in the same process.
 */
export function openFileLimit(): number {
  try {
    const out = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
    return out === 'unlimited' ? Infinity : Number(out) || 1024;
  } catch {
    return 1024;
  }
}

/**
 * How many sockets a test may open: `wanted`, capped so that both ends (client and an
 * in-process server: 2 descriptors each) plus `reserve` fit under {@link openFileLimit}.
 * @param reserve descriptors left for everything else; default `512`
 */
export function socketBudget(wanted: number, reserve = 512): number {
  const limit = openFileLimit();
  return Math.max(0, Math.min(wanted, Math.floor((limit - reserve) / 2)));
}

/**
 * Fewest sockets a flood test accepts from {@link socketBudget}: below this, `ulimit -n` is too low
 * for the test to prove anything (at `ulimit -n 1024` the budget is 256).
 */
export const MIN_SOCKET_BUDGET = 200;

/**
 * {@link socketBudget} for several kinds of sockets opened together, shared in proportion to what
 * each wants: `{ tcp: 2000, ws: 300 }` stays so on a large `ulimit -n`, and becomes
 * `{ tcp: 222, ws: 34 }` at `ulimit -n 1024`.
 */
export function socketBudgets<K extends string>(wanted: Record<K, number>, reserve = 512): Record<K, number> {
  const entries = Object.entries(wanted) as [K, number][];
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  const budget = socketBudget(total, reserve);
  const out = {} as Record<K, number>;
  let left = budget;
  entries.forEach(([kind, n], i) => {
    const share = i === entries.length - 1 ? left : Math.floor((budget * n) / Math.max(1, total));
    out[kind] = share;
    left -= share;
  });
  return out;
}

/** Options of {@link openIdleSockets}. */
export interface IdleSocketsOptions {
  /** Default `'127.0.0.1'`. */
  host?: string;
  port: number;
  /** Sockets to open. Default `1000`. Size it with {@link socketBudget}. */
  count?: number;
  /** Connects in flight at once (the listen backlog is finite). Default `200`. */
  concurrency?: number;
  /** A connect not done after this many ms counts as failed. Default `5000`. */
  connectTimeoutMs?: number;
  /** Bytes written once on each socket after connect (e.g. a partial header). Default none: fully idle. */
  prefix?: string | Buffer;
}

/** Open idle sockets; `close()` destroys them all. */
export interface IdleSockets {
  /** The connected sockets (failed ones are not in it). */
  readonly sockets: readonly Socket[];
  /** Sockets that connected. */
  readonly opened: number;
  /** Connect attempts that failed or timed out. */
  readonly failed: number;
  /** The first few connect errors (at most 10), e.g. `EMFILE`. */
  readonly errors: readonly string[];
  /** How many of the connected sockets the server has closed so far. */
  closedByServer(): number;
  /** Milliseconds from connect to server close, for each socket the server closed. */
  lifetimesMs(): number[];
  /** Destroys every socket; resolves once all are closed. Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens `count` TCP connections and leaves them idle (or after writing `prefix`).
 * Resolves once every attempt connected or failed; never rejects for network errors.
 */
export async function openIdleSockets(options: IdleSocketsOptions): Promise<IdleSockets> {
  const { host = LOOPBACK, port, count = 1000, concurrency = 200, connectTimeoutMs = 5000, prefix } = options;
  assertLoopback(host);
  const sockets: Socket[] = [];
  const errors: string[] = [];
  const lifetimes: number[] = [];
  let failed = 0;
  let serverClosed = 0;
  let closing = false;

  const openOne = (): Promise<void> =>
    new Promise((resolve) => {
      const s = connect({ host, port });
      const timer = setTimeout(() => {
        failed++;
        if (errors.length < 10) errors.push('connect timeout');
        s.destroy();
        resolve();
      }, connectTimeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        const at = performance.now();
        sockets.push(s);
        s.on('data', () => {}); // read and drop whatever the server sends (e.g. a 408)
        s.once('close', () => {
          if (!closing) {
            serverClosed++;
            lifetimes.push(performance.now() - at);
          }
        });
        if (prefix !== undefined) s.write(prefix);
        resolve();
      });
      s.on('error', (err: NodeJS.ErrnoException) => {
        if (!sockets.includes(s)) {
          clearTimeout(timer);
          failed++;
          if (errors.length < 10) errors.push(err.code ?? err.message);
          s.destroy();
          resolve();
        }
      });
    });

  let started = 0;
  const worker = async (): Promise<void> => {
    while (started < count) {
      started++;
      await openOne();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));

  return {
    sockets,
    get opened() {
      return sockets.length;
    },
    get failed() {
      return failed;
    },
    errors,
    closedByServer: () => serverClosed,
    lifetimesMs: () => [...lifetimes],
    close: () => destroyAll(sockets, () => (closing = true)),
  };
}

/** Options of {@link idleUntilDropped}. */
export interface IdleUntilDroppedOptions extends IdleSocketsOptions {
  /** Stop waiting for the server to drop the sockets this many ms after they were open (and `meanwhile` ran). */
  waitMs: number;
  /** Runs once the sockets are open, before the wait (e.g. opens other connections). Default none. */
  meanwhile?: (idle: IdleSockets) => Promise<void>;
}

/**
 * An idle flood that a server must drop by itself: opens the sockets ({@link openIdleSockets}),
 * runs `meanwhile`, then polls until the server has closed every socket (its headers timeout does
 * that to a connection that never sends a request) or `waitMs` passed. The sockets left are
 * destroyed before it settles, also when `meanwhile` throws; read the outcome from the handle
 * (`opened`, `failed`, `closedByServer()`, `lifetimesMs()`).
 */
export async function idleUntilDropped(options: IdleUntilDroppedOptions): Promise<IdleSockets> {
  const { waitMs, meanwhile, ...open } = options;
  const idle = await openIdleSockets(open);
  try {
    await meanwhile?.(idle);
    const deadline = performance.now() + waitMs;
    while (idle.closedByServer() < idle.opened && performance.now() < deadline) await sleep(50);
  } finally {
    await idle.close();
  }
  return idle;
}

/** Destroys sockets and resolves when every one of them emitted `close` (bounded: 5 s). */
function destroyAll(sockets: readonly Socket[], before: () => void): Promise<void> {
  before();
  const waits = sockets.map((s) =>
    s.closed ? Promise.resolve() : new Promise<void>((resolve) => {
      s.once('close', () => resolve());
      s.destroy();
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, 5000);
  });
  return Promise.race([Promise.all(waits).then(() => undefined), bound]).finally(() => clearTimeout(timer));
}

/** Options of {@link slowloris}. */
export interface SlowlorisOptions {
  /** Default `'127.0.0.1'`. */
  host?: string;
  port: number;
  /** Sockets trickling at once. Default `20`. */
  count?: number;
  /** Pause between two bytes on each socket, ms. Default `100`. */
  byteIntervalMs?: number;
  /** Stop trickling (and close what is left) after this many ms. Default `5000`. */
  durationMs?: number;
  /**
   * The start of the request each socket trickles. After it, each socket keeps sending
   * `X-Slow-N: a\r\n` header lines byte by byte, never the blank line that ends the head.
   * Default `'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n'`.
   */
  head?: string;
}

/** What {@link slowloris} saw. */
export interface SlowlorisReport {
  /** Sockets that connected. */
  opened: number;
  /** Sockets that failed to connect. */
  failed: number;
  /** Sockets the server closed before `durationMs` ran out. */
  droppedByServer: number;
  /** Sockets still open when `durationMs` ran out (then closed by us). */
  stillOpen: number;
  /** Bytes trickled over all sockets. */
  bytesSent: number;
  /** Status codes the server answered on trickling sockets (e.g. `{ 408: 20 }`), by count. */
  statuses: Record<number, number>;
  /** Longest time a socket was held open before the server dropped it, ms (0 when none dropped). */
  maxLifetimeMs: number;
  /** Elapsed time, ms. */
  elapsedMs: number;
}

/**
 * Slowloris: opens `count` sockets that each send a request head one byte at a time and never
 * finish it. Resolves when every socket was dropped by the server or `durationMs` passed
 * (sockets still open then are destroyed). A server with a headers timeout drops them all.
 */
export async function slowloris(options: SlowlorisOptions): Promise<SlowlorisReport> {
  const { host = LOOPBACK, port, count = 20, byteIntervalMs = 100, durationMs = 5000, head = `GET /health HTTP/1.1\r\nHost: ${LOOPBACK}\r\n` } = options;
  assertLoopback(host);
  const started = performance.now();
  const deadline = started + durationMs;
  const report: SlowlorisReport = { opened: 0, failed: 0, droppedByServer: 0, stillOpen: 0, bytesSent: 0, statuses: {}, maxLifetimeMs: 0, elapsedMs: 0 };

  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const s = connect({ host, port });
      let received = '';
      let timer: NodeJS.Timeout | undefined;
      let connectedAt = 0;
      let done = false;
      let text = head;
      let offset = 0;
      let line = 0;
      const stop = (byServer: boolean): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearTimeout(deadlineTimer);
        if (connectedAt === 0) report.failed++;
        else if (byServer) {
          report.droppedByServer++;
          report.maxLifetimeMs = Math.max(report.maxLifetimeMs, performance.now() - connectedAt);
        } else report.stillOpen++;
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(received);
        if (m) report.statuses[Number(m[1])] = (report.statuses[Number(m[1])] ?? 0) + 1;
        s.destroy();
        resolve();
      };
      const deadlineTimer = setTimeout(() => stop(false), Math.max(0, deadline - performance.now()));
      const trickle = (): void => {
        if (done || s.destroyed) return;
        if (offset >= text.length) {
          text = `X-Slow-${line++}: a\r\n`;
          offset = 0;
        }
        s.write(text[offset++]!, 'latin1');
        report.bytesSent++;
        timer = setTimeout(trickle, byteIntervalMs);
      };
      s.once('connect', () => {
        connectedAt = performance.now();
        report.opened++;
        trickle();
      });
      s.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
      s.on('error', () => stop(connectedAt !== 0));
      s.on('close', () => stop(connectedAt !== 0));
      s.on('end', () => stop(true));
    });

  await Promise.all(Array.from({ length: count }, one));
  report.elapsedMs = performance.now() - started;
  return report;
}
