/**
 * When k6 received an SSE event. Tidemark's k6/x/sse stamps each event as it parses it (`receivedAt`, ms since
 * the epoch with µs precision). A k6/x/sse without that stamp (the community xk6-sse) leaves it out: then the
 * JavaScript clock is read in the handler, whole milliseconds, and later than the parse by however long the event
 * waited for the VU's event loop, so latencies read up to about a millisecond high plus that wait.
 * `SSE_CLOCK=js` takes the JavaScript clock even where the stamp exists: how the fallback is tested on the
 * pinned build.
 */
import type { SseEvent } from 'k6/x/sse';
import { envString } from './env.ts';

/** Where receive times come from: `stamp` (the extension's, when it has one) or `js` (Date.now() in the handler). */
export type SseClock = 'stamp' | 'js';

function sseClock(): SseClock {
  const asked = envString('SSE_CLOCK', 'stamp');
  if (asked !== 'stamp' && asked !== 'js') throw new Error(`SSE_CLOCK=${asked} is not one of stamp, js`);
  return asked;
}

/** Read in the init context: a bad value stops the test before any load. */
const CLOCK = sseClock();

/** The event's receive time; the JavaScript clock when the extension gave no stamp or SSE_CLOCK=js. */
export function receivedAt(event: SseEvent): number {
  return CLOCK === 'stamp' && typeof event.receivedAt === 'number' ? event.receivedAt : Date.now();
}
