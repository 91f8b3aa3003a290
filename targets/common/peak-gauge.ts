/**
 * A current/peak counter for the `connections` field of `/stats` when a target counts its
 * protocol sessions (subscriber streams, WebSocket sessions) rather than every TCP socket:
 * `/stats` scrapes and short HTTP requests would otherwise inflate RSS-per-connection figures.
 */
import type { ConnectionCounts } from './connections.ts';

/** Live counts plus the two ways to move them. Read `current`/`peak` any time. */
export interface PeakGauge extends ConnectionCounts {
  /** One more open session; raises `peak` when exceeded. */
  inc(): void;
  /** One session closed; never goes below 0 (a double close is harmless). */
  dec(): void;
}

export function createPeakGauge(): PeakGauge {
  const gauge: PeakGauge = {
    current: 0,
    peak: 0,
    inc() {
      gauge.current++;
      if (gauge.current > gauge.peak) gauge.peak = gauge.current;
    },
    dec() {
      if (gauge.current > 0) gauge.current--;
    },
  };
  return gauge;
}
