/**
 * How many VUs hold a scenario's streams. On the Go measuring path one VU holds several streams (`sse.openAsync`),
 * since a VU's JavaScript runtime is most of k6's memory per stream (about 300 KB) and its per-VU start-up most of
 * its CPU when streams are short of events; on the JavaScript path each VU holds one.
 */
import { envNumber } from './env.ts';
import type { SseMeasureMode } from './sse-measure-mode.ts';

/**
 * VUs for `streams` concurrent streams: `SSE_VUS` (default 10), at most one per stream, on the Go path; one per
 * stream on the JavaScript path. Ten keeps a few VUs for k6 execution segments (`--segments`) to split.
 */
export function streamVus(streams: number, mode: SseMeasureMode): number {
  if (mode === 'js') return streams;
  return Math.min(streams, envNumber('SSE_VUS', 10, { min: 1, max: 100000, integer: true }));
}

/**
 * Streams the iteration numbered `iteration` (0-based across the whole test, segments included: k6's
 * `exec.scenario.iterationInTest`) holds when `vus` one-iteration VUs share `streams`: they add up to `streams`
 * exactly and differ by at most one.
 */
export function streamsOfIteration(iteration: number, vus: number, streams: number): number {
  return Math.floor(((iteration + 1) * streams) / vus) - Math.floor((iteration * streams) / vus);
}
