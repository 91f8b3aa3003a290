/**
 * How the broker's subscriptions map onto RabbitMQ: one direct exchange, routing key = topic, and one queue
 * per subscription (private, group or durable), each bounded like a topic's backlog in the memory backend.
 */
import { createHash } from 'node:crypto';
import type { Options } from 'amqplib';
import type { SubscribeRequest } from '../backend.ts';

/**
 * Direct, not topic: topic names may contain dots, which a topic exchange would read as word separators.
 * Durable, so that durable queues bound to it keep their bindings across a RabbitMQ restart (a transient
 * exchange would take the bindings with it); declaring it costs nothing per message.
 */
export const EXCHANGE = 'tidemark.broker';

/** RabbitMQ queue names are short strings: at most 255 bytes. */
const MAX_QUEUE_NAME = 255;

export type QueueKind = 'private' | 'group' | 'durable';

export interface QueuePlan {
  kind: QueueKind;
  /** '' for a private queue: RabbitMQ names it. */
  name: string;
  options: Options.AssertQueue;
}

/** The bounds every declared queue carries. */
export interface QueueBounds {
  maxBacklog: number;
  maxBacklogBytes: number;
  durableTtlMs: number;
}

/**
 * A shared queue's name. '/' is not allowed in topic, group or durable names, so `<topic>/<name>` is
 * unambiguous (a '.' separator would make topic "a.b" + group "c" collide with topic "a" + group "b.c").
 * Names that would pass 255 bytes fall back to a hash under another prefix ('#' never occurs in the readable form).
 */
export function sharedQueueName(kind: 'group' | 'durable', topic: string, name: string): string {
  const prefix = kind === 'group' ? 'tidemark.g' : 'tidemark.d';
  const readable = `${prefix}/${topic}/${name}`;
  if (readable.length <= MAX_QUEUE_NAME) return readable; // names are ASCII: length = bytes
  return `${prefix}#${createHash('sha256').update(`${topic}/${name}`).digest('hex')}`;
}

/**
 * The queue behind a subscribe request. Every queue is bounded by `x-max-length` / `x-max-length-bytes` with
 * `reject-publish`: a full queue makes RabbitMQ nack the publish (answered as `backlog_full`). The byte bound
 * counts AMQP bodies (the JSON envelope), close to the publish frame sizes the memory backend counts.
 * Call with `group` and `durable` not both set (the backend refuses that first).
 */
export function queuePlan(request: SubscribeRequest, bounds: QueueBounds): QueuePlan {
  const bounded = {
    maxLength: bounds.maxBacklog,
    overflow: 'reject-publish',
    arguments: { 'x-max-length-bytes': bounds.maxBacklogBytes },
  };
  if (request.durable !== undefined) {
    // Outlives its consumers; RabbitMQ deletes it after `x-expires` without consumer, like the memory backend's TTL.
    return {
      kind: 'durable',
      name: sharedQueueName('durable', request.topic, request.durable),
      options: { ...bounded, durable: true, autoDelete: false, exclusive: false, expires: bounds.durableTtlMs },
    };
  }
  if (request.group !== undefined) {
    // Shared by the group's consumers (RabbitMQ round-robins among them); gone when the last one leaves.
    return {
      kind: 'group',
      name: sharedQueueName('group', request.topic, request.group),
      options: { ...bounded, durable: false, autoDelete: true, exclusive: false },
    };
  }
  // amqplib declares queues durable unless told otherwise: say false explicitly.
  return { kind: 'private', name: '', options: { ...bounded, durable: false, autoDelete: true, exclusive: true } };
}
