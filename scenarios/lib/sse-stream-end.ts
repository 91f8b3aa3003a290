/** What every SSE stream records once, when it has ended, whichever path measured its events. */
import * as m from './sse-metrics.ts';
import type { StreamOptions } from './sse-stream-options.ts';
import { verdict } from './verdict.ts';

/**
 * Adds the events the stream was asked for over the time it was held (from the response headers, or from the
 * request when none came: the server produces from the moment it answers, so connect time under load is not a
 * shortfall of the stream) and whether it failed.
 */
export function recordStreamEnd(opts: StreamOptions, status: number, started: number, openedAt: number | null, ok: boolean): void {
  const tags = opts.tags ?? {};
  const heldS = (Date.now() - (openedAt ?? started)) / 1000;
  if (opts.rate !== undefined && status === 200) m.eventsExpected.add(opts.rate * heldS, tags);
  verdict(m.errors, 'SSE stream opened (200) and well-formed', ok, tags);
}
