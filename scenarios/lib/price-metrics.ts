/** The price-engine metrics, created once in the init context and shared by every price-engine scenario. */
import { Counter, Gauge, Rate, Trend } from 'k6/metrics';

/** End to end: subscriber receive time minus the tick's client time (k6's clock, 1 ms resolution), ms. */
export const tickToQuote = new Trend('pe_tick_to_quote', true);
/** Subscriber receive time minus the engine's emit stamp (µs precision on both sides), ms. */
export const quoteDelivery = new Trend('pe_quote_delivery', true);
/** Quotes received by subscribers. */
export const quotesReceived = new Counter('pe_quotes');
/** Quote sequence numbers skipped per symbol (quotes lost between engine and subscriber). */
export const quoteGaps = new Counter('pe_quote_gaps');
/** Ticks the scenario asked for (sent or due to be sent). */
export const ticksExpected = new Counter('pe_ticks_expected');
/** Ticks the engine accepted (from its replies): the achieved rate. */
export const ticksAccepted = new Counter('pe_ticks_accepted');
/** Ticks the engine refused (from its replies). */
export const ticksRejected = new Counter('pe_ticks_rejected');
/** Share of failed operations: tick batches not fully accepted, subscriber streams that failed. */
export const errors = new Rate('tidemark_errors');
/** Subscribe request to the stream's open (headers received), ms. */
export const connectTime = new Trend('pe_connect_time', true);
/** Subscribe request to the first quote, ms. */
export const firstQuote = new Trend('pe_first_quote', true);
/** Engine-internal latency over the scenario's own run, read from `/metrics.json?mark=` at the end, ms. */
export const engineP50 = new Gauge('pe_engine_p50_ms');
export const engineP95 = new Gauge('pe_engine_p95_ms');
export const engineP99 = new Gauge('pe_engine_p99_ms');
export const engineMax = new Gauge('pe_engine_max_ms');
/** Quote streams still open on the engine at the end (churn: must be 0, clean-up works). */
export const subscribersLeft = new Gauge('pe_subscribers_left');
