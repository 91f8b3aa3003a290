/** The broker protocol metrics, created once in the init context and shared by every broker scenario. */
import { Counter, Rate, Trend } from 'k6/metrics';

/** Publish sent to publisher confirm received, ms (send side: k6's Date.now(), whole ms). */
export const publishConfirm = new Trend('broker_publish_confirm', true);
/** Delivery received minus the broker's accept time (`t`), ms: publish to delivery, end to end. */
export const e2eLatency = new Trend('broker_e2e_latency', true);
/** Delivery received to the broker's ack receipt received, ms (sampled: every BROKER_RECEIPT_EVERY-th ack). */
export const ackLatency = new Trend('broker_ack_latency', true);
/** First deliveries: each (subscriber, message) counted once. */
export const delivered = new Counter('broker_delivered');
/** Deliveries asked for: publishes sent x subscribers of the topic. */
export const deliveredExpected = new Counter('broker_delivered_expected');
/** Publishes the broker confirmed. */
export const published = new Counter('broker_published');
/** Publishes answered with an error frame (tagged `code`). */
export const publishErrors = new Counter('broker_publish_errors');
/** Confirmed messages a subscriber never received by the end of the drain window. */
export const lost = new Counter('broker_lost');
/** Deliveries of a message the subscriber already had (at-least-once redeliveries). */
export const duplicates = new Counter('broker_duplicates');
/** First deliveries with a seq below one the subscriber already had. */
export const outOfOrder = new Counter('broker_out_of_order');
/** Deliveries the broker marked as redelivered (attempt > 1). */
export const redelivered = new Counter('broker_redelivered');
/** Publishes with neither confirm nor error by the end. */
export const unconfirmed = new Counter('broker_unconfirmed');
/** Share of failed publishes (error frame or no answer) and failed connections. */
export const errors = new Rate('tidemark_errors');
/** Burst: end of the spike to the moment a subscriber had every message confirmed before it, ms. */
export const backlogDrain = new Trend('broker_backlog_drain', true);
/** Burst: confirmed messages a subscriber has not received yet, sampled every 100 ms. */
export const lag = new Trend('broker_lag');
/** Churn: new connection opened to `subscribed` answer of a durable subscription that already existed, ms. */
export const resumeTime = new Trend('broker_resume_time', true);
/** Churn: messages waiting for a durable subscription when it was resumed. */
export const resumeBacklog = new Trend('broker_resume_backlog');
