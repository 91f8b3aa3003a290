/**
 * Test helpers for bad-input ("abuse") suites: raw HTTP requests, slowloris sockets, idle
 * socket floods, and a well-behaved client loop that counts what it was served meanwhile.
 *
 * Shared by every target's `bad-input.test.ts`; the exported names are a stable API. This file only
 * gathers them: basics, test targets, raw HTTP, socket floods and the well-behaved client live one per file.
 * Rules kept by every helper:
 * - load goes to loopback only (a non-loopback host throws);
 * - every loop is bounded in count and in time;
 * - every socket a helper opens is destroyed before its promise resolves, or by the
 *   `close()` of the handle it returns (call it in `afterEach`, it is idempotent);
 * - nothing rejects for a network outcome (refused, reset, closed): outcomes are reported.
 *
 * Typical use:
 * ```ts
 * const report = await whileServing(() => slowloris({ port, count: 50 }), async () => {
 *   const r = await rawRequest({ port, data: buildRequest({ path: '/health' }) });
 *   if (r.status !== 200) throw new Error(`health answered ${r.status}`);
 * });
 * expect(report.failed).toBe(0);
 * ```
 */
export * from './abuse-basics.ts';
export * from './abuse-target.ts';
export * from './raw-http.ts';
export * from './socket-floods.ts';
export * from './while-serving.ts';
