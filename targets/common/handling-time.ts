/**
 * A target's own handling time per operation (server-side latency), kept next to k6's client-side figure: it
 * leaves out k6's own scheduling and the loopback trip, the noisiest parts of a client-side latency on a
 * shared machine. One cumulative HDR histogram (hdr-histogram-js) of microseconds, 1 µs to 60 s at 3
 * significant digits; `GET /stats/handling-time` serves it encoded and the harness subtracts two readings, so
 * any window of a run (after its warm-up) is summarised exactly and nothing is reset between runs.
 * Recording is two clock reads and one histogram increment (~165 ns of CPU per SSE event measured on the busy
 * 2-core development machine); a snapshot ~0.3 ms. `TIDEMARK_HANDLING_TIME=0` turns it off, to measure its cost.
 */
import * as hdr from 'hdr-histogram-js';

/** Largest value tracked, µs (60 s); longer ones are recorded as this (a stall that long is its own alarm). */
const HIGHEST_US = 60_000_000;

export interface HandlingTime {
  /** What is timed, in words, e.g. `event produced → written to its socket`. */
  readonly what: string;
  /** Records one operation that took `ms` (fractions kept to the µs). */
  record(ms: number): void;
  /** Operations recorded so far. */
  count(): number;
  /** The `GET /stats/handling-time` body: the cumulative histogram, compressed and base64-encoded. */
  snapshot(): HandlingTimeSnapshot;
}

/** The body of `GET /stats/handling-time`. */
export interface HandlingTimeSnapshot {
  what: string;
  /** Unit of the histogram's values. */
  unit: 'us';
  count: number;
  /** `encodeIntoCompressedBase64` of hdr-histogram-js; decode with `decodeFromCompressedBase64`. */
  histogram: string;
}

/**
 * A recorder, or undefined when `TIDEMARK_HANDLING_TIME=0` (callers use `handling?.record(...)`, which then
 * skips even the clock reads in its argument).
 */
export function handlingTimeFromEnv(what: string, env: NodeJS.ProcessEnv = process.env): HandlingTime | undefined {
  const raw = env.TIDEMARK_HANDLING_TIME;
  if (raw === '0') return undefined;
  if (raw !== undefined && raw !== '' && raw !== '1') throw new Error(`TIDEMARK_HANDLING_TIME=${raw}: expected 1 (default) or 0`);
  return createHandlingTime(what);
}

export function createHandlingTime(what: string): HandlingTime {
  const histogram = hdr.build({ bitBucketSize: 32, autoResize: false, lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3 });
  return {
    what,
    record(ms) {
      histogram.recordValue(Math.min(HIGHEST_US, Math.max(0, Math.round(ms * 1000))));
    },
    count: () => histogram.totalCount,
    // Compression level 1: the harness asks once a second, and level 1 costs ~40% less CPU than the default for the same size.
    snapshot: () => ({ what, unit: 'us', count: histogram.totalCount, histogram: hdr.encodeIntoCompressedBase64(histogram, 1) }),
  };
}
