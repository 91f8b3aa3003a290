/**
 * The broker's storage and routing contract. The WebSocket layer (session.ts) talks only to this
 * interface; behind it sit the in-memory backend (memory/) and adapters to real servers (rabbitmq/, mqtt/),
 * chosen with TIDEMARK_BROKER_BACKEND (backend-choice.ts).
 *
 * Results may be promises for such adapters; the in-memory backend answers synchronously, so its hot
 * path allocates no promise.
 */

/** A value or a promise of it. */
export type MaybePromise<T> = T | Promise<T>;

/** One accepted message, as consumers see it. */
export interface Message {
  readonly topic: string;
  /** Per-topic sequence number, 1, 2, 3... in publish order. */
  readonly seq: number;
  /** The publisher's message id. */
  readonly id: string;
  /** The publisher's correlation id, when it gave one. */
  readonly cid: string | undefined;
  /** When the broker accepted the message: ms since the epoch, µs precision. */
  readonly t: number;
  /**
   * The payload, opaque to the backend: the parsed JSON value for the WebSocket transport. Holding the
   * parsed value rather than re-encoded text keeps held messages small (encoding happens once per fan-out).
   */
  readonly payload: unknown;
  /** Size the message counts for against the backlog byte bound (the WebSocket transport: publish frame bytes). */
  readonly bytes: number;
}

/** Where a subscription's deliveries go (one WebSocket subscription, or an in-process benchmark sink). */
export interface Consumer {
  /**
   * Hands one message over. `attempt` is 1 for the first delivery to this subscription and grows with each
   * redelivery. Returns false when the consumer cannot take more for now: the backend stops delivering to it
   * until {@link SubscriptionHandle.resume} (the message just given still counts as delivered).
   */
  deliver(message: Message, attempt: number): boolean;
}

/**
 * Why the backend refused an operation; the protocol sends the code in its error frame.
 * `unsupported`: this backend cannot give the feature asked for (the message names both; README table).
 * `unavailable`: the backend's server cannot be reached or went away (the message names the command that starts it).
 */
export type BackendErrorCode = 'backlog_full' | 'injected' | 'limit' | 'conflict' | 'shutting_down' | 'unsupported' | 'unavailable';

export interface Failure {
  ok: false;
  code: BackendErrorCode;
  /** A sentence naming what was wrong and what to do. */
  message: string;
}

export type PublishResult = { ok: true; seq: number; t: number } | Failure;

export interface SubscribeRequest {
  topic: string;
  /** Shared subscription: consumers subscribing with the same group split its messages. Default none (private). */
  group?: string | undefined;
  /**
   * Durable subscription name: the subscription outlives its consumers, keeps collecting messages while
   * none is attached (up to the topic's backlog bound) and is resumed by subscribing with the same name.
   * Consumers attached together share it like a group. Default none. Not combinable with `group`.
   */
  durable?: string | undefined;
  /** true: each delivery waits for ack or nack and is redelivered after `ackTimeoutMs`; false: done once handed over. */
  ack: boolean;
  /** Most unacknowledged deliveries outstanding to this consumer (ack mode). */
  prefetch: number;
  /** An unacknowledged delivery is redelivered this long after it was handed over, ms. */
  ackTimeoutMs: number;
}

/** One consumer's attachment to a subscription. */
export interface SubscriptionHandle {
  /** Settles a delivery; false when `seq` is not outstanding on this consumer (already settled, or never delivered). */
  ack(seq: number): boolean;
  /** Returns a delivery for redelivery (to this or another consumer of the subscription); false when unknown. */
  nack(seq: number): boolean;
  /**
   * Starts or restarts deliveries. A new handle starts paused, so the caller can answer its client before the
   * first message; call it again after the consumer returned false from `deliver`.
   */
  resume(): void;
  /**
   * Detaches the consumer (unsubscribed or disconnected). Its outstanding deliveries are redelivered to the
   * subscription's other consumers; a durable subscription keeps them and its position for its next consumer.
   */
  close(): void;
}

export type SubscribeResult =
  | {
      ok: true;
      handle: SubscriptionHandle;
      /** True when the consumer joined a subscription that already existed (a durable resume or a group join). */
      resumed: boolean;
      /** Messages waiting for this subscription at the moment of subscribing. */
      backlog: number;
    }
  | Failure;

/** Counters (monotonic) and gauges (now) every backend reports in `/stats`. */
export interface BackendStats {
  /** Messages accepted. */
  published: number;
  /** Deliveries handed to consumers, redeliveries included: the broker's unit of work. */
  delivered: number;
  /** Deliveries with attempt > 1. */
  redelivered: number;
  acked: number;
  nacked: number;
  /** Deliveries returned for redelivery because their ack timeout passed. */
  ackTimeouts: number;
  /** Acks and nacks for a sequence number that was not outstanding. */
  unknownAcks: number;
  /** Publishes refused because the topic's backlog was full. */
  backlogFull: number;
  /** Publishes refused by `TIDEMARK_FAULT_ERROR_RATE`. */
  errorsInjected: number;
  /** Deliveries discarded by `TIDEMARK_FAULT_DROP_RATE` (treated as delivered and acknowledged). */
  droppedByFault: number;
  /** Durable subscriptions removed after staying detached longer than their time to live. */
  durableExpired: number;
  topics: number;
  subscriptions: number;
  /** Durable subscriptions, and how many of them have no consumer now. */
  durable: number;
  durableDetached: number;
  /** Consumers attached. */
  consumers: number;
  /** Messages held by all topics (from the oldest one still needed to the newest). */
  backlogMessages: number;
  /** Message bytes held by all topics (as given to publish). */
  backlogBytes: number;
  /** Deliveries awaiting an ack. */
  unacked: number;
}

/**
 * Protocol features a backend may lack: `nack` (the frame), `ackTimeoutMs` (a `sub` frame that sets it: redelivery
 * after a timeout), `durableShared` (a second consumer on an attached durable name; subscribe refuses it itself).
 */
export type BackendFeature = 'nack' | 'ackTimeoutMs' | 'durableShared';

/** A reason per missing feature: a sentence naming the backend and the feature, said to the client as is. */
export type UnsupportedFeatures = Readonly<Partial<Record<BackendFeature, string>>>;

/** What the WebSocket layer needs from a backend. */
export interface BrokerBackend {
  /** Which backend this is (`memory`, `rabbitmq`, `mqtt`), for `/stats` and messages. */
  readonly name: string;
  /**
   * Features this backend cannot give; the WebSocket layer answers a frame that needs one with an `unsupported`
   * error frame carrying the reason. Default: none.
   */
  readonly unsupported?: UnsupportedFeatures;
  /**
   * Accepts a message for `topic` and answers with its sequence number, or refuses it (full backlog, limits,
   * injected fault). A refused message is never delivered.
   * @param payload opaque to the backend, handed to consumers as is
   * @param bytes what the message counts for against the backlog byte bound
   */
  publish(topic: string, id: string, cid: string | undefined, payload: unknown, bytes: number): MaybePromise<PublishResult>;
  /** Attaches `consumer` to a subscription of `request.topic`; the returned handle starts paused. */
  subscribe(request: SubscribeRequest, consumer: Consumer): MaybePromise<SubscribeResult>;
  stats(): BackendStats;
  /** Stops timers, forgets every topic and closes connections to a server; later calls answer `shutting_down`. */
  close(): MaybePromise<void>;
}
