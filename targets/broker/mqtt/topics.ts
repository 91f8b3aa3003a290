/**
 * The mqtt backend's own book of topics: per-topic sequence numbers, and per subscription the messages published
 * to it and not yet finished (acked, or handed over in no-ack mode). MQTT tells a publisher nothing about
 * subscribers' queues (Mosquitto drops messages beyond its max_queued_messages and still answers PUBACK), so this
 * count is what refuses publishes with `backlog_full` before the server would drop any, and what `/stats` shows
 * as backlog. It knows the subscriptions of this process only; messages of a session from another process (or an
 * earlier run) are not counted (a finish without a matching count is ignored).
 */

/** One subscription as the book sees it: a private one, a group (all its members here), or a durable name. */
export class SubAccount {
  /** Counted on publish only once the server has confirmed the MQTT subscription (SUBACK), so none is counted that the server will not route. */
  active = false;
  /** Consumers attached, or connecting. */
  members = 0;
  /** When the last consumer of a durable subscription left (performance.now() ms); undefined while attached. */
  detachedAt: number | undefined;
  pending = 0;
  pendingBytes = 0;

  constructor(
    readonly key: string,
    readonly durable: boolean,
  ) {}

  hold(bytes: number): void {
    this.pending++;
    this.pendingBytes += bytes;
  }

  /** One message finished; ignored when none is counted (see the file comment). */
  finish(bytes: number): void {
    if (this.pending === 0) return;
    this.pending--;
    this.pendingBytes = this.pending === 0 ? 0 : Math.max(0, this.pendingBytes - bytes);
  }

  /** Several messages finished at once (a consumer leaving with what the server gave it). */
  finishMany(messages: number, bytes: number): void {
    this.pending = Math.max(0, this.pending - messages);
    this.pendingBytes = this.pending === 0 ? 0 : Math.max(0, this.pendingBytes - bytes);
  }

  /** Forgets the count (the server has no session for it any more). */
  reset(): void {
    this.pending = 0;
    this.pendingBytes = 0;
  }
}

export class TopicState {
  /** Last sequence number given. */
  seq = 0;
  readonly subs = new Map<string, SubAccount>();

  /**
   * @param name the broker topic
   * @param mqttTopic the MQTT topic its messages are published to
   */
  constructor(
    readonly name: string,
    readonly mqttTopic: string,
    public lastActive: number,
  ) {}

  /** The fullest subscription's count: the backlog the bound applies to. */
  backlog(): { messages: number; bytes: number } {
    let messages = 0;
    let bytes = 0;
    for (const s of this.subs.values()) {
      if (s.pending > messages) messages = s.pending;
      if (s.pendingBytes > bytes) bytes = s.pendingBytes;
    }
    return { messages, bytes };
  }

  /** Counts a message sent to the topic for every subscription the server routes it to. */
  hold(bytes: number): void {
    for (const s of this.subs.values()) if (s.active) s.hold(bytes);
  }

  /** Takes back {@link hold} for a publish the server refused or never confirmed. */
  release(bytes: number): void {
    for (const s of this.subs.values()) if (s.active) s.finish(bytes);
  }
}

/** Gauges of the book for `/stats`. */
export interface BookGauges {
  topics: number;
  subscriptions: number;
  durable: number;
  durableDetached: number;
  backlogMessages: number;
  backlogBytes: number;
}

export class TopicBook {
  private readonly topics = new Map<string, TopicState>();
  private durableCount = 0;

  /**
   * @param prefix put before a broker topic to make its MQTT topic
   * @param maxTopics topics known at once
   * @param durableTtlMs a durable subscription without consumer is forgotten after this long (the server expires its session then)
   * @param topicIdleMs a topic without subscription is forgotten after this long since its last publish (numbering restarts)
   */
  constructor(
    private readonly prefix: string,
    private readonly maxTopics: number,
    private readonly durableTtlMs: number,
    private readonly topicIdleMs: number,
  ) {}

  /** The topic, created when new; undefined at the topic limit. */
  topic(name: string, now: number): TopicState | undefined {
    const existing = this.topics.get(name);
    if (existing !== undefined) return existing;
    if (this.topics.size >= this.maxTopics) return undefined;
    const topic = new TopicState(name, this.prefix + name, now);
    this.topics.set(name, topic);
    return topic;
  }

  get durable(): number {
    return this.durableCount;
  }

  /** The subscription's account, created (inactive, no member) when new. */
  account(topic: TopicState, key: string, durable: boolean): SubAccount {
    let sub = topic.subs.get(key);
    if (sub === undefined) {
      sub = new SubAccount(key, durable);
      topic.subs.set(key, sub);
      if (durable) this.durableCount++;
    }
    return sub;
  }

  /**
   * A consumer left (or failed to attach). A durable subscription stays, detached, while its server session
   * lives; others go with their last member.
   */
  leave(topic: TopicState, sub: SubAccount, now: number): void {
    if (sub.members > 0) sub.members--;
    if (sub.members > 0) return;
    if (sub.durable && sub.active) sub.detachedAt = now;
    else this.remove(topic, sub);
    topic.lastActive = now;
  }

  private remove(topic: TopicState, sub: SubAccount): void {
    if (topic.subs.get(sub.key) !== sub) return;
    topic.subs.delete(sub.key);
    if (sub.durable) this.durableCount--;
  }

  /** Forgets expired durable subscriptions and idle topics; returns how many durable subscriptions expired. */
  housekeeping(now: number): number {
    let expired = 0;
    for (const [name, topic] of this.topics) {
      for (const sub of topic.subs.values()) {
        if (sub.members === 0 && sub.detachedAt !== undefined && now - sub.detachedAt >= this.durableTtlMs) {
          this.remove(topic, sub);
          expired++;
        }
      }
      if (topic.subs.size === 0 && now - topic.lastActive >= this.topicIdleMs) this.topics.delete(name);
    }
    return expired;
  }

  gauges(): BookGauges {
    const g: BookGauges = { topics: this.topics.size, subscriptions: 0, durable: this.durableCount, durableDetached: 0, backlogMessages: 0, backlogBytes: 0 };
    for (const topic of this.topics.values()) {
      g.subscriptions += topic.subs.size;
      for (const sub of topic.subs.values()) if (sub.durable && sub.members === 0) g.durableDetached++;
      const b = topic.backlog();
      g.backlogMessages += b.messages;
      g.backlogBytes += b.bytes;
    }
    return g;
  }

  clear(): void {
    this.topics.clear();
    this.durableCount = 0;
  }
}
