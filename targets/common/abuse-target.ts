/** Test targets for bad-input suites: shortened HTTP limits with checked defaults, start-up and clean-up. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOOPBACK } from './abuse-basics.ts';
import { HTTP_LIMITS, hardenHttpServer, type HttpLimits } from './http-limits.ts';

/**
 * How late past a timeout a drop or an answer may come and still pass, ms. Sized for a loaded
 * 2-core CI machine (thousands of sockets closed at once, other test files running): still far
 * below what the bounds guard against (Node's defaults: 60 s head, 300 s request, checked every 30 s).
 * Every bad-input suite uses this one value.
 */
export const TIMING_SLACK_MS = 4000;

/**
 * Shortened HTTP limits the bad-input suites measure with (the targets' defaults, `HTTP_LIMITS`:
 * 10 s head, 30 s request, checked every 1 s, are asserted to be in force first; see
 * {@link shortenHttpLimits}). A 1 s head timeout keeps a slowloris case near 1 s instead of 10 s.
 */
export const TEST_HTTP_LIMITS: Readonly<Pick<HttpLimits, 'headersTimeoutMs' | 'requestTimeoutMs' | 'checkIntervalMs'>> = Object.freeze({
  headersTimeoutMs: 1000,
  requestTimeoutMs: 2000,
  checkIntervalMs: 100,
});

/**
 * Checks that `server` runs with the targets' default HTTP limits (`HTTP_LIMITS`, applied by every
 * target's `hardenHttpServer`), then applies `limits` over them. Call it before `listen` (Node
 * reads the check interval when listening starts).
 * @param limits default {@link TEST_HTTP_LIMITS}
 * @param own the target's deliberate departures from `HTTP_LIMITS` (e.g. the JSON-RPC target's longer keep-alive); default none
 * @returns the limits now in force
 * @throws Error naming each default that is not in force (a target that lost its hardening)
 */
export function shortenHttpLimits(server: Server, limits: Partial<HttpLimits> = TEST_HTTP_LIMITS, own: Partial<HttpLimits> = {}): HttpLimits {
  const expected: HttpLimits = { ...HTTP_LIMITS, ...own };
  const s = server as Server & { maxHeaderSize?: number; connectionsCheckingInterval?: number };
  const actual: Record<keyof HttpLimits, number | undefined> = {
    headersTimeoutMs: s.headersTimeout,
    requestTimeoutMs: s.requestTimeout,
    keepAliveTimeoutMs: s.keepAliveTimeout,
    maxHeaderBytes: s.maxHeaderSize,
    checkIntervalMs: s.connectionsCheckingInterval,
  };
  const wrong = (Object.keys(expected) as (keyof HttpLimits)[]).filter((k) => actual[k] !== expected[k]).map((k) => `${k} is ${actual[k]}, expected ${expected[k]}`);
  if (wrong.length > 0) throw new Error(`the server does not run with the default HTTP limits (HTTP_LIMITS): ${wrong.join('; ')}`);
  return hardenHttpServer(server, { ...own, ...limits });
}

/**
 * Things to undo after each test, run in reverse order of registration:
 * `const cleanup = new Cleanup(); afterEach(() => cleanup.run());`.
 */
export class Cleanup {
  private readonly steps: (() => unknown)[] = [];

  /** Registers `undo(value)` and returns `value`, e.g. `cleanup.add(await openSse(url), (c) => c.close())`. */
  add<T>(value: T, undo: (value: T) => unknown): T {
    this.steps.push(() => undo(value));
    return value;
  }

  /** Runs every registered step (newest first, each awaited) and forgets them; throws the first error after all ran. */
  async run(): Promise<void> {
    let first: unknown;
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (err) {
        first ??= err;
      }
    }
    if (first !== undefined) throw first;
  }
}

/** A target as the bad-input suites start it (every target's `create…Server()` result). */
export interface TestTarget {
  readonly server: Server;
  listen(port?: number, host?: string): Promise<AddressInfo>;
  close(): Promise<void>;
}

/**
 * Starts `target` on a free loopback port for one test and registers its `close()` with
 * `cleanup`. With `limits`, first checks the default HTTP limits (with the target's `own`
 * departures) are in force and then shortens them ({@link shortenHttpLimits}).
 */
export async function startTestTarget<T extends TestTarget>(target: T, cleanup: Cleanup, limits?: Partial<HttpLimits>, own: Partial<HttpLimits> = {}): Promise<{ server: T; port: number }> {
  cleanup.add(target, (t) => t.close());
  if (limits !== undefined) shortenHttpLimits(target.server, limits, own);
  const { port } = await target.listen(0, LOOPBACK);
  return { server: target, port };
}
