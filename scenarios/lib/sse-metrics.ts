/** The SSE protocol metrics, created once in the init context and shared by every SSE scenario. */
import { Counter, Rate, Trend } from 'k6/metrics';

/** Receive time minus the server's send time of each event, ms. */
export const deliveryLatency = new Trend('sse_delivery_latency', true);
/** Request start to the first event of a stream, ms. */
export const firstEventTime = new Trend('sse_first_event', true);
/** Request start to the `open` callback (headers received), ms. */
export const connectTime = new Trend('sse_connect_time', true);
/** Request start to the first event on a stream that resumed with Last-Event-ID, ms. */
export const reconnectTime = new Trend('sse_reconnect_time', true);
/** Events received. */
export const eventsReceived = new Counter('sse_events');
/** Events the scenario asked for: per-stream rate times the time the stream was held. */
export const eventsExpected = new Counter('sse_events_expected');
/** Missing ids: sequence numbers skipped, plus losses the server reported. */
export const gaps = new Counter('sse_gaps');
/** Events whose id was not above the previous one (duplicates or reordering). */
export const duplicates = new Counter('sse_duplicates');
/** Share of streams that failed (non-200, transport error, malformed event). */
export const errors = new Rate('tidemark_errors');
