/**
 * The Go measuring path: the extension measures each stream (`params.measure`, k6/sse/meter.go) and emits
 * `sse_events`, `sse_delivery_latency`, `sse_first_event`, `sse_connect_time`, `sse_reconnect_time`, `sse_gaps`
 * and `sse_duplicates` itself, so no JavaScript runs per event; this side records once per stream what depends on
 * the scenario (events expected, errors). Needs Tidemark's k6/x/sse (see sse-measure-mode.ts).
 */
import exec from 'k6/execution';
import sse from 'k6/x/sse';
import type { SseMeasureParams, SseResponse } from 'k6/x/sse';
import { recordStreamEnd } from './sse-stream-end.ts';
import type { StreamOptions, StreamOutcome } from './sse-stream-options.ts';
import { streamParams } from './sse-stream-options.ts';
import { WARMUP_MS } from './warmup.ts';

/** The rules of sse-js-meter.ts, as `params.measure` for a stream whose request starts at `started` (ms since the epoch). */
export function goMeasure(opts: StreamOptions, started: number): SseMeasureParams {
  return {
    stamp: 't',
    ids: true,
    lossEvent: 'lost',
    latencyFrom: exec.scenario.startTime + WARMUP_MS,
    holdMs: opts.holdMs,
    maxEvents: opts.maxEvents ?? 0,
    countFrom: opts.catchUp ? started : 0,
  };
}

/** Records the stream's end and returns its outcome from the extension's per-stream figures. */
export function goOutcome(opts: StreamOptions, res: SseResponse, started: number): StreamOutcome {
  const figures = res.measure;
  // A failure of any kind (status, transport, malformed event) sets error_code.
  const ok = res.status === 200 && res.error_code === 0;
  recordStreamEnd(opts, res.status, started, figures?.opened_at ?? null, ok);
  return {
    ok,
    status: res.status,
    lastId: figures?.last_id ?? opts.lastEventId ?? null,
    events: figures?.events ?? 0,
    gaps: figures?.gaps ?? 0,
  };
}

/** Opens a stream measured in Go and blocks the iteration until it ends. */
export function readStreamGo(opts: StreamOptions): StreamOutcome {
  const started = Date.now();
  const res = sse.open(opts.url, { ...streamParams(opts), measure: goMeasure(opts, started) }, () => {});
  return goOutcome(opts, res, started);
}

/**
 * Holds `count` streams measured in Go at once on this VU (`sse.openAsync`) and resolves when all have ended: the
 * VU's JavaScript runs once per stream, not per event, and k6's memory per VU is shared by its streams.
 */
export async function readStreamsGo(count: number, opts: StreamOptions): Promise<StreamOutcome[]> {
  const one = async (): Promise<StreamOutcome> => {
    const started = Date.now();
    const res = await sse.openAsync(opts.url, { ...streamParams(opts), measure: goMeasure(opts, started) }, () => {});
    return goOutcome(opts, res, started);
  };
  return Promise.all(Array.from({ length: count }, one));
}
