/**
 * Reads SSE streams from a Tidemark-style server and records delivery, gap and error metrics, measured in Go by
 * the extension where it can (sse-go-meter.ts) and per event in JavaScript elsewhere (sse-js-meter.ts); the mode
 * is sse-measure-mode.ts's. Both record the same metric names (sse-metrics.ts).
 */
import sse from 'k6/x/sse';
import { readStreamGo, readStreamsGo } from './sse-go-meter.ts';
import { jsMeter } from './sse-js-meter.ts';
import { MEASURE_MODE } from './sse-measure-mode.ts';
import * as m from './sse-metrics.ts';
import { recordStreamEnd } from './sse-stream-end.ts';
import type { StreamOptions, StreamOutcome } from './sse-stream-options.ts';
import { streamParams } from './sse-stream-options.ts';

export type { StreamOptions, StreamOutcome } from './sse-stream-options.ts';
export { streamUrl } from './sse-stream-options.ts';

/** Opens a stream, reads until `holdMs` or `maxEvents`, and returns what happened. Blocks the iteration. */
export function readStream(opts: StreamOptions): StreamOutcome {
  return MEASURE_MODE === 'go' ? readStreamGo(opts) : readStreamJs(opts);
}

/**
 * Holds `count` streams on this VU until they end: all at once on the Go path; on the JavaScript path, where
 * `open` blocks the VU, only `count` 1 is possible (see sse-vus.ts).
 */
export async function readStreams(count: number, opts: StreamOptions): Promise<StreamOutcome[]> {
  if (MEASURE_MODE === 'go') return readStreamsGo(count, opts);
  if (count !== 1) throw new Error(`readStreams(${count}): the JavaScript measuring path holds one stream per VU`);
  return [readStreamJs(opts)];
}

/** The JavaScript path: an `event` handler measures every event. */
export function readStreamJs(opts: StreamOptions): StreamOutcome {
  const tags = opts.tags ?? {};
  const started = Date.now();
  const meter = jsMeter(opts, started, tags);
  const res = sse.open(opts.url, streamParams(opts), (client) => {
    client.on('open', meter.onOpen);
    client.on('event', (event) => meter.onEvent(client, event));
    client.on('error', meter.onError);
  });
  // Added even when 0 so the metric (and its threshold) always exists in the summary.
  m.gaps.add(meter.gaps(), tags);
  const ok = res.status === 200 && !meter.malformed();
  recordStreamEnd(opts, res.status, started, meter.openedAt(), ok);
  return { ok, status: res.status, lastId: meter.lastId(), events: meter.events(), gaps: meter.gaps() };
}
