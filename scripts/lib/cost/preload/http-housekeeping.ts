/**
 * Turns off the two pieces of Node's HTTP server housekeeping that run by the wall clock, for the cost probe:
 * - the check of header and request timeouts (`connectionsCheckingInterval`, 1 s in the targets, which
 *   hardenHttpServer sets): it runs every second of wall time, and valgrind's wall time is 20-50x longer than
 *   the target's and varies with the machine's load;
 * - the `Date` header: Node caches its text and clears the cache 1 s later with an internal timer.
 * Both are small, but each timer callback runs JavaScript the request path shares (timer lists, async hooks,
 * nextTick), so firing more or less often shifts when V8 optimises those functions and with what feedback:
 * identical 4000-call runs differed by 8.7 M instructions with them and by at most 1.4 M without.
 * What is lost: the probe's responses carry no `Date` header (about 40 bytes and a cached string per response).
 */
import { Server, ServerResponse } from 'node:http';

/** Longest delay a Node timer takes (2^31 − 1 ms, about 24.8 days): the check never comes during a probe run. */
const NEVER_MS = 2 ** 31 - 1;

export function quietHttpHousekeeping(): void {
  // Node reads connectionsCheckingInterval when the server starts listening, after the target set its own.
  const listen = Server.prototype.listen;
  Server.prototype.listen = function listenWithoutTimeoutChecks(this: Server, ...args: unknown[]) {
    (this as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = NEVER_MS;
    return (listen as (...a: unknown[]) => Server).apply(this, args);
  } as typeof Server.prototype.listen;
  // The constructor's `this.sendDate = true` meets this accessor on the prototype: no Date header, no cache timer.
  Object.defineProperty(ServerResponse.prototype, 'sendDate', { get: () => false, set: () => {}, configurable: true });
}
