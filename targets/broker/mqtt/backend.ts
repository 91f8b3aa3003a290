/**
 * The mqtt backend: the broker protocol on a real MQTT 5 server (Mosquitto, `npm run backend -- start mosquitto`).
 *
 * Mapping: a publish is a QoS 1 PUBLISH on one publisher connection, confirmed by its PUBACK; the adapter numbers
 * messages per topic and carries seq, ids and accept time in the payload (envelope.ts). Each consumer has its own
 * MQTT connection: a private subscription is a clean session, a group a shared subscription
 * (`$share/<group>/<topic>`), a durable subscription a persistent session (client id from topic and name, session
 * expiry = TIDEMARK_BROKER_DURABLE_TTL_MS) that the server keeps filling while detached. Ack mode subscribes at
 * QoS 1 and sends the PUBACK only when the consumer acks. MQTT has no nack and no ack-timeout redelivery: declared
 * in `unsupported` (features.ts).
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ErrorWithSubackPacket, type MqttClient } from 'mqtt';
import type { BackendStats, BrokerBackend, Consumer, Failure, PublishResult, SubscribeRequest, SubscribeResult, UnsupportedFeatures } from '../backend.ts';
import { BACKEND_SERVERS, backendServerUrl, redactUrl, startCommand } from '../backend-servers.ts';
import { newMemoryCounters, type MemoryCounters } from '../memory/counters.ts';
import type { BrokerOptions } from '../options.ts';
import { nowEpochMs } from '../../common/clock.ts';
import { createFaults, type Faults } from '../../common/faults.ts';
import { endClient, openClient, type OpenClient } from './client.ts';
import { encodeEnvelope } from '../envelope.ts';
import { MqttPublisher } from './publisher.ts';
import { MQTT_UNSUPPORTED, unsupported } from './features.ts';
import { MqttSubscription, type SubscriptionHost } from './subscription.ts';
import { TopicBook, type SubAccount } from './topics.ts';
import { setTimeout as sleep } from 'node:timers/promises';

/** Broker topic `t` is MQTT topic `tidemark/t` (broker names have no `/`, `+` or `#`), out of other users' way. */
export const MQTT_TOPIC_PREFIX = 'tidemark/';

/** Waits the adapter bounds, ms (tests shorten them). */
export interface MqttTimings {
  /** TCP connect plus CONNACK. */
  connectMs: number;
  /** SUBSCRIBE to SUBACK. */
  subackMs: number;
  /** PUBLISH to PUBACK: past it the publish answers `unavailable` (the server stalls). */
  publishMs: number;
  /** A DISCONNECT to the closed socket, before the socket is destroyed. */
  endMs: number;
  /** Period of the publish-timeout check and of housekeeping (durable expiry, idle topics). */
  tickMs: number;
}

export const MQTT_TIMINGS: MqttTimings = { connectMs: 3000, subackMs: 5000, publishMs: 10_000, endMs: 2000, tickMs: 1000 };

/**
 * Receive Maximum asked of the server for QoS 1 subscriptions: the protocol maximum, not `prefetch`. Mosquitto
 * 2.0.11 does not hold to a small one (seen: receiveMaximum 5, three PUBACKs, 20 deliveries unacked: each PUBACK
 * refills the whole quota), so the adapter bounds deliveries by prefetch itself (subscription.ts). Taking the
 * messages in also keeps the backlog count exact: what Mosquitto queues behind a group member's quota is lost,
 * unseen, when that member leaves (MQTT 5 does not pass it to another member).
 */
const RECEIVE_MAXIMUM = 65_535;

/**
 * How long a durable subscribe waits for the name's current consumer to leave before refusing a second consumer,
 * ms: a reconnecting subscriber's new connection can be heard before its old one's close.
 */
const TAKEOVER_GRACE_MS = 1000;

const fail = (code: Failure['code'], message: string): Failure => ({ ok: false, code, message });

const reasonOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));


/** Resolves like `p`, or rejects after `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

export class MqttBackend implements BrokerBackend, SubscriptionHost {
  readonly name = 'mqtt';
  /** Features this backend refuses (proposed `BrokerBackend.unsupported`, see features.ts). */
  readonly unsupported: UnsupportedFeatures = MQTT_UNSUPPORTED;
  readonly counters: MemoryCounters = newMemoryCounters();
  readonly faults: Faults;
  private readonly url: string;
  private readonly shownUrl: string;
  private readonly client: MqttClient;
  private readonly publisher: MqttPublisher;
  private readonly book: TopicBook;
  private readonly handles = new Set<MqttSubscription>();
  /** Durable client ids whose connection is still ending: a resume waits, or it would take over a closing session. */
  private readonly ending = new Map<string, Promise<void>>();
  private readonly endings = new Set<Promise<void>>();
  private readonly ticker: NodeJS.Timeout;
  private privateKeys = 0;
  /** Why the server is unusable (it went away); set once, then every call answers `unavailable` with it. */
  private down: string | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly options: BrokerOptions,
    url: string,
    publisher: OpenClient,
    private readonly timings: MqttTimings,
  ) {
    this.url = url;
    this.shownUrl = redactUrl(url);
    this.client = publisher.client;
    this.publisher = new MqttPublisher(this.client, publisher.connack.properties?.receiveMaximum ?? 65_535, timings.publishMs);
    this.faults = createFaults(options.faults, options.random);
    this.book = new TopicBook(MQTT_TOPIC_PREFIX, options.maxTopics, options.durableTtlMs, options.topicIdleMs);
    this.client.on('close', () => this.markDown(publisher.lastError()));
    this.ticker = setInterval(() => this.tick(), timings.tickMs);
    this.ticker.unref();
  }

  publish(topicName: string, id: string, cid: string | undefined, payload: unknown, bytes: number): PublishResult | Promise<PublishResult> {
    const refused = this.refusal('publish to');
    if (refused !== undefined) return refused;
    if (this.faults.shouldFail()) {
      this.counters.errorsInjected++;
      return fail('injected', `injected fault: TIDEMARK_FAULT_ERROR_RATE=${this.options.faults.errorRate} refuses this share of publishes (not a bug in the broker)`);
    }
    const now = performance.now();
    const topic = this.book.topic(topicName, now);
    if (topic === undefined) return this.topicLimit();
    const o = this.options;
    const held = topic.backlog();
    if (held.messages >= o.maxBacklog || held.bytes + bytes > o.maxBacklogBytes) {
      this.counters.backlogFull++;
      return fail(
        'backlog_full',
        `topic "${topicName}" has a subscription with ${held.messages} messages (${held.bytes} bytes) not finished; ` +
          `the bound is ${o.maxBacklog} messages (TIDEMARK_BROKER_MAX_BACKLOG) and ${o.maxBacklogBytes} bytes (TIDEMARK_BROKER_MAX_BACKLOG_BYTES). ` +
          'Retry later, consume or ack faster, or remove idle durable subscriptions.',
      );
    }
    const seq = ++topic.seq;
    const t = nowEpochMs();
    topic.lastActive = now;
    topic.hold(bytes);
    const body = encodeEnvelope({ seq, id, cid, t, bytes, data: payload });
    return new Promise<PublishResult>((resolve) => {
      this.publisher.send(topic.mqttTopic, body, (outcome) => {
        if (outcome.ok) {
          this.counters.published++;
          resolve({ ok: true, seq, t });
          return;
        }
        // Not confirmed: take the count back (a publish that timed out may still be delivered; MQTT cannot retract it).
        topic.release(bytes);
        resolve(this.publishFailure(outcome.error, outcome.timedOut));
      });
    });
  }

  private publishFailure(err: Error | undefined, timedOut: boolean): Failure {
    const refused = this.refusal('publish to');
    if (refused !== undefined) return refused;
    if (timedOut) return fail('unavailable', `the MQTT server at ${this.shownUrl} did not confirm the publish within ${this.timings.publishMs} ms: it may be overloaded or stuck`);
    const code = (err as (Error & { code?: unknown }) | undefined)?.code;
    // 0x97 Quota exceeded is the server's own limit; any other refusal means the server cannot take the message.
    if (code === 0x97) return fail('limit', `the MQTT server at ${this.shownUrl} refused the publish: ${reasonOf(err)} (its limits are in its mosquitto.conf)`);
    return fail('unavailable', `the MQTT server at ${this.shownUrl} refused the publish: ${reasonOf(err)}`);
  }

  async subscribe(request: SubscribeRequest, consumer: Consumer): Promise<SubscribeResult> {
    const refused = this.refusal('subscribe on');
    if (refused !== undefined) return refused;
    const { group, durable } = request;
    if (group !== undefined && durable !== undefined) {
      return fail('conflict', 'give either group or durable, not both: consumers subscribing with the same durable name already share it like a group');
    }
    const topic = this.book.topic(request.topic, performance.now());
    if (topic === undefined) return this.topicLimit();
    const key = durable !== undefined ? `d:${durable}` : group !== undefined ? `g:${group}` : `p:${++this.privateKeys}`;
    const existing = topic.subs.get(key);
    if (durable !== undefined) {
      // A subscriber that reconnects may be heard before its old connection's close (two sockets, no order between
      // them): give the old consumer a moment to leave before calling this a second consumer.
      if (existing !== undefined && existing.members > 0) await this.untilDetached(existing, TAKEOVER_GRACE_MS);
      if (existing !== undefined && existing.members > 0) return unsupported('durableShared');
      if (existing === undefined && this.book.durable >= this.options.maxDurable) {
        return fail('limit', `too many durable subscriptions: the limit is ${this.options.maxDurable} (TIDEMARK_BROKER_MAX_DURABLE); reuse names or let idle ones expire (TIDEMARK_BROKER_DURABLE_TTL_MS)`);
      }
    }
    // A group "exists" when a member of it is attached here: the server does not say whether a shared subscription has other members.
    const joined = group !== undefined && existing !== undefined && existing.members > 0;
    const account = this.book.account(topic, key, durable !== undefined);
    account.members++; // reserved while connecting: a second consumer of the same durable name is refused meanwhile
    account.detachedAt = undefined;

    // No-ack mode is QoS 0 (at most once), except durable: the server queues only QoS 1 for a detached session, so a
    // durable no-ack subscription is QoS 1, acknowledged as soon as a delivery is handed over.
    const qos1 = request.ack || durable !== undefined;
    const handle = new MqttSubscription(this, topic, account, consumer, { ack: request.ack, prefetch: request.prefetch, delayMs: this.options.faults.delayMs });
    // `/` cannot occur in broker names, so topic and durable name cannot run into each other.
    const clientId = durable !== undefined ? `tidemark/d/${topic.name}/${durable}` : `tidemark/c/${randomUUID()}`;
    await this.ending.get(clientId);

    let open: OpenClient;
    try {
      open = await openClient(
        this.url,
        {
          clientId,
          clean: durable === undefined,
          sessionExpirySec: durable !== undefined ? Math.max(1, Math.ceil(this.options.durableTtlMs / 1000)) : 0,
          receiveMaximum: qos1 ? RECEIVE_MAXIMUM : undefined,
          connectTimeoutMs: this.timings.connectMs,
        },
        handle.onPublish,
      );
    } catch (err) {
      this.abandon(handle);
      return this.refusal('subscribe on') ?? fail('unavailable', this.unreachable(err));
    }
    const client = open.client;
    handle.client = client;
    let attached = false;
    client.on('close', () => {
      if (attached) handle.lost();
    });
    const refusedNow = this.refusal('subscribe on');
    if (refusedNow !== undefined) {
      this.abandon(handle);
      this.endLater(clientId, client);
      return refusedNow;
    }

    const filter = group !== undefined ? `$share/${group}/${topic.mqttTopic}` : topic.mqttTopic;
    try {
      // A refusal (SUBACK reason code >= 0x80) rejects too, naming the reason.
      await within(client.subscribeAsync(filter, { qos: qos1 ? 1 : 0 }), this.timings.subackMs, 'SUBACK');
    } catch (err) {
      this.abandon(handle);
      this.endLater(clientId, client);
      const late = this.refusal('subscribe on');
      if (late !== undefined) return late;
      // 0x9E: Shared Subscriptions not supported (a server configured without them).
      if (group !== undefined && err instanceof ErrorWithSubackPacket && err.packet.granted.some((g) => g === 0x9e)) {
        return fail('unsupported', `the mqtt backend cannot give groups here: the MQTT server at ${this.shownUrl} does not support shared subscriptions`);
      }
      return fail('unavailable', `the MQTT server at ${this.shownUrl} did not accept the subscription to ${filter}: ${reasonOf(err)}`);
    }
    if (this.closed) {
      this.abandon(handle);
      this.endLater(clientId, client);
      return this.refusal('subscribe on') ?? fail('shutting_down', 'the broker is shutting down');
    }

    const sessionPresent = open.connack.sessionPresent;
    // Without a session on the server (new, expired, or the server lost it) nothing counted for it will come.
    if (durable !== undefined && !sessionPresent) account.reset();
    account.active = true;
    attached = true;
    this.handles.add(handle);
    if (!client.connected) handle.lost(); // closed while we were not yet listening for it
    const resumed = durable !== undefined ? sessionPresent : joined;
    // What the server holds for a session is not visible in MQTT; the adapter's own count is known only for a
    // durable subscription it detached itself (not one from another process or an earlier run): else 0.
    const backlog = durable !== undefined && sessionPresent ? account.pending : 0;
    return { ok: true, handle, resumed, backlog };
  }

  /** Resolves once the subscription has no consumer attached here, or after `ms`. */
  private async untilDetached(account: SubAccount, ms: number): Promise<void> {
    const deadline = performance.now() + ms;
    while (account.members > 0 && performance.now() < deadline && !this.closed) await sleep(10);
  }

  /** A subscribe that did not complete gives its reservation back. */
  private abandon(handle: MqttSubscription): void {
    handle.end();
    this.book.leave(handle.topic, handle.account, performance.now());
  }

  detach(sub: MqttSubscription, reason: 'closed' | 'lost'): void {
    const account: SubAccount = sub.account;
    if (!account.durable) {
      // A clean session's deliveries in hand go with it (MQTT 5 gives them to no other group member).
      const gone = sub.unfinished();
      account.finishMany(gone.messages, gone.bytes);
    }
    // A durable session keeps them on the server (redelivered on resume): still counted.
    sub.end();
    this.handles.delete(sub);
    this.book.leave(sub.topic, account, performance.now());
    const client = sub.client;
    if (client === undefined) return;
    if (reason === 'closed') {
      this.endLater(client.options.clientId ?? '', client);
    } else {
      // Said only when the rest of the backend lives on: a lost server closes every connection at once, and its
      // publisher connection may close a moment after this one (then the one "server lost" line says it all).
      setTimeout(() => {
        if (this.closed || this.down !== undefined) return;
        process.stderr.write(`mqtt backend: the subscription to topic "${sub.topic.name}" lost its connection to ${this.shownUrl}; its consumer gets no more deliveries (subscribe again)\n`);
      }, 100).unref();
    }
  }

  /** Ends a client in the background; a durable session stays on the server (normal DISCONNECT, expiry from CONNECT). */
  private endLater(clientId: string, client: MqttClient): void {
    const done = endClient(client, this.timings.endMs).then(() => {
      this.endings.delete(done);
      if (this.ending.get(clientId) === done) this.ending.delete(clientId);
    });
    this.endings.add(done);
    this.ending.set(clientId, done);
  }

  private markDown(err: Error | undefined): void {
    if (this.closed || this.down !== undefined) return;
    const why = err !== undefined ? ` (${err.message})` : '';
    this.down =
      `the mqtt backend lost its MQTT server at ${this.shownUrl}${why}: start it with \`${startCommand('mosquitto')}\` ` +
      'and restart the broker (the adapter does not reconnect, so that a lost server is seen, not hidden)';
    process.stderr.write(`${this.down}\n`);
    this.publisher.failAll({ ok: false, error: undefined, timedOut: false }); // answered with `down` (publishFailure)
  }

  private unreachable(err: unknown): string {
    return `cannot reach the MQTT server at ${this.shownUrl} (${reasonOf(err)}): start it with \`${startCommand('mosquitto')}\``;
  }

  /** The answer while shutting down or without server; undefined when the call may proceed. */
  private refusal(what: string): Failure | undefined {
    if (this.closed) return fail('shutting_down', `the broker is shutting down; ${what} a running instance`);
    if (this.down !== undefined) return fail('unavailable', this.down);
    return undefined;
  }

  private topicLimit(): Failure {
    return fail(
      'limit',
      `too many topics: the limit is ${this.options.maxTopics} (TIDEMARK_BROKER_MAX_TOPICS); reuse topic names (a topic without subscription is forgotten ${this.options.topicIdleMs} ms after its last publish)`,
    );
  }

  /** Times out publishes the server does not confirm; forgets expired durable subscriptions and idle topics. */
  private tick(): void {
    const now = performance.now();
    this.publisher.expire(now);
    this.counters.durableExpired += this.book.housekeeping(now);
  }

  stats(): BackendStats {
    let unacked = 0;
    for (const h of this.handles) unacked += h.unacked;
    return { ...this.counters, ...this.book.gauges(), consumers: this.handles.size, unacked };
  }

  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    this.closed = true;
    clearInterval(this.ticker);
    this.publisher.failAll({ ok: false, error: undefined, timedOut: false }); // answered `shutting_down` (publishFailure)
    for (const h of [...this.handles]) h.close();
    const publisherEnd = endClient(this.client, this.timings.endMs);
    this.closing = Promise.all([publisherEnd, ...this.endings]).then(() => {
      this.book.clear();
    });
    return this.closing;
  }
}

/**
 * Connects to the MQTT server (`TIDEMARK_MQTT_URL`, else mqtt://127.0.0.1:`TIDEMARK_MOSQUITTO_PORT`).
 * @param timings shorter waits for tests
 * @throws Error naming the URL and the command that starts the server when it does not answer in time
 */
export async function openMqttBackend(options: BrokerOptions, env: NodeJS.ProcessEnv = process.env, timings: Partial<MqttTimings> = {}): Promise<MqttBackend> {
  const t = { ...MQTT_TIMINGS, ...timings };
  const url = backendServerUrl('mosquitto', env);
  let open: OpenClient;
  try {
    open = await openClient(url, { clientId: `tidemark/pub/${randomUUID()}`, clean: true, sessionExpirySec: 0, connectTimeoutMs: t.connectMs });
  } catch (err) {
    const s = BACKEND_SERVERS.mosquitto;
    throw new Error(
      `cannot connect to the MQTT server at ${redactUrl(url)} (${reasonOf(err)}): start it with \`${startCommand('mosquitto')}\`, ` +
        `or point ${s.urlEnv} (or ${s.portEnv}) at a running one`,
    );
  }
  return new MqttBackend(options, url, open, t);
}
