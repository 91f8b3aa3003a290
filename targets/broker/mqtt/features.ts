/**
 * What the mqtt backend cannot give, declared so the protocol layer refuses it with a clear error instead of
 * letting a client believe it happened (MQTT has no nack, for example).
 */
import type { BackendFeature, Failure, UnsupportedFeatures } from '../backend.ts';

export const MQTT_UNSUPPORTED: UnsupportedFeatures = Object.freeze({
  nack:
    'the mqtt backend does not support nack: MQTT has no negative acknowledgement, so a delivery cannot be returned for ' +
    'redelivery (Mosquitto redelivers an unacked one only when a durable subscriber reconnects). Ack it, or use ' +
    'TIDEMARK_BROKER_BACKEND=memory for nack.',
  ackTimeoutMs:
    'the mqtt backend does not support ack timeouts (ackTimeoutMs): MQTT never redelivers on the same connection, only ' +
    'when a durable subscriber reconnects, so an unacked delivery stays outstanding. Use TIDEMARK_BROKER_BACKEND=memory ' +
    'for ack-timeout redelivery.',
  durableShared:
    'the mqtt backend does not support several consumers on one durable subscription: a durable subscription is one ' +
    'MQTT session (client id), and a second connection with that id takes the session over. Use a group for sharing, ' +
    'or one consumer per durable name.',
});

/** The refusal of a feature, for operations that can answer with a Failure themselves. */
export function unsupported(feature: BackendFeature): Failure {
  return { ok: false, code: 'unsupported', message: MQTT_UNSUPPORTED[feature] ?? `the mqtt backend does not support ${feature}` };
}
