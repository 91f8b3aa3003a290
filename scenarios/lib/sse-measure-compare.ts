/**
 * Not a gate scenario: the k6 half of tests/sse-go-measure.test.ts. Each stream is measured by both paths at
 * once: the extension in Go (`params.measure`, samples tagged `via=go`) and the JavaScript meter of the fallback
 * path (sse-js-meter.ts, in an `event` handler, samples tagged `via=js`). Both see exactly the same events, so the
 * test can compare their figures one by one. One VU, three streams: a private stream; a topic stream; a resume of
 * that topic from before its history (a loss notice, replayed events that do not count toward the event limit,
 * then live ones). Start the target with TIDEMARK_FAULT_DROP_RATE for gaps and a small TIDEMARK_SSE_BUFFER for the
 * loss notice. It also checks the feature detection that picks the measuring path (sse-measure-mode.ts).
 * Env: TARGET_URL, COMPARE_EVENTS (events per stream, 200), COMPARE_RATE (events/s, 100), COMPARE_SUMMARY (file
 * for k6's summary JSON, else stdout), TIDEMARK_WARMUP_S (set 0 to compare every latency sample).
 */
import { check } from 'k6';
import sse from 'k6/x/sse';
import type { Options } from 'k6/options';
import { envNumber, envString, targetUrl } from './env.ts';
import { goMeasure } from './sse-go-meter.ts';
import { jsMeter } from './sse-js-meter.ts';
import { goMeasureAvailable, sseMeasureMode } from './sse-measure-mode.ts';
import * as m from './sse-metrics.ts';
import type { StreamOptions } from './sse-stream-options.ts';
import { streamParams, streamUrl } from './sse-stream-options.ts';

const baseUrl = targetUrl('http://127.0.0.1:8081');
const events = envNumber('COMPARE_EVENTS', 200, { min: 10, max: 100000, integer: true });
const rate = envNumber('COMPARE_RATE', 100, { min: 1, max: 1000 });

const COUNTERS = ['sse_events', 'sse_gaps', 'sse_duplicates'];
const TRENDS = ['sse_delivery_latency', 'sse_first_event', 'sse_connect_time', 'sse_reconnect_time'];
const threshold = (name: string): string[] => [COUNTERS.includes(name) ? 'count>=0' : 'max>=0'];

export const options: Options = {
  scenarios: { compare: { executor: 'per-vu-iterations', vus: 1, iterations: 1, maxDuration: '120s' } },
  // k6 summarises a tagged sub-metric only when a threshold names it: these always pass.
  thresholds: Object.fromEntries(
    [...COUNTERS, ...TRENDS].flatMap((name) => ['go', 'js'].map((via) => [`${name}{via:${via}}`, threshold(name)])),
  ),
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max', 'count'],
};

/** Reads one stream with both meters and checks their per-stream figures agree; returns the last id. */
function readWithBothMeters(name: string, opts: StreamOptions): number | null {
  const goTags = { via: 'go' };
  const jsTags = { via: 'js' };
  const started = Date.now();
  const meter = jsMeter(opts, started, jsTags);
  const res = sse.open(opts.url, { ...streamParams({ ...opts, tags: goTags }), measure: goMeasure(opts, started) }, (client) => {
    client.on('open', meter.onOpen);
    client.on('event', (event) => meter.onEvent(client, event));
    client.on('error', meter.onError);
  });
  m.gaps.add(meter.gaps(), jsTags);
  const go = res.measure;
  check(res, {
    [`${name}: stream served`]: (r) => r.status === 200 && r.error_code === 0,
    [`${name}: same events`]: () => go?.events === meter.events(),
    [`${name}: same gaps`]: () => go?.gaps === meter.gaps(),
    [`${name}: same last id`]: () => go?.last_id === meter.lastId(),
  });
  return meter.lastId();
}

export default function (): void {
  // The feature detection behind SSE_MEASURE=auto: this extension measures in Go, an xk6-sse-shaped one
  // (no `features`) falls back to JavaScript.
  check(sse, {
    'detection: this extension measures in Go': (module) => goMeasureAvailable(module) && sseMeasureMode(true) === 'go',
    'detection: an xk6-sse-shaped module falls back to JavaScript': (module) =>
      !goMeasureAvailable({ open: module.open }) && sseMeasureMode(false) === 'js',
  });
  const topic = `cmp-${Date.now()}`;
  readWithBothMeters('private', { url: streamUrl(baseUrl, { rate, size: 64 }), holdMs: 60_000, maxEvents: events });
  const lastId = readWithBothMeters('topic', { url: streamUrl(baseUrl, { rate, size: 64, topic }), holdMs: 60_000, maxEvents: events });
  // Far enough back that part of it has left the topic's history: the stream starts with a loss notice.
  readWithBothMeters('resumed', {
    url: streamUrl(baseUrl, { rate, size: 64, topic }),
    holdMs: 60_000,
    maxEvents: Math.ceil(events / 2),
    catchUp: true,
    lastEventId: Math.max(0, (lastId ?? 0) - events),
  });
}

export function handleSummary(data: unknown): Record<string, string> {
  const file = envString('COMPARE_SUMMARY', '');
  return { [file === '' ? 'stdout' : file]: JSON.stringify(data) };
}
