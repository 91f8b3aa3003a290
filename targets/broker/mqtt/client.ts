/**
 * MQTT.js connection plumbing for the mqtt backend: connecting with a bounded wait and no automatic reconnect,
 * acknowledging a QoS 1 delivery later than MQTT.js would, and ending a connection with a bounded wait.
 */
import { Socket } from 'node:net';
import { connect, type IConnackPacket, type IPublishPacket, type MqttClient } from 'mqtt';

export interface ClientSettings {
  clientId: string;
  /** MQTT 5 Clean Start: false resumes the session stored under `clientId`. */
  clean: boolean;
  /** Seconds the server keeps the session after the connection ends (0: dropped at once). */
  sessionExpirySec: number;
  /** MQTT 5 Receive Maximum: QoS 1 deliveries the server may have unacknowledged on this connection. */
  receiveMaximum?: number | undefined;
  /** Bound on the TCP connect plus CONNACK, ms. */
  connectTimeoutMs: number;
}

/** Called for each PUBLISH received, in order. For QoS 1 the PUBACK is not sent: call {@link sendPuback}. */
export type PublishHandler = (packet: IPublishPacket) => void;

export interface OpenClient {
  client: MqttClient;
  connack: IConnackPacket;
  /** The last error MQTT.js reported on this connection (a refused or dropped connection says why). */
  lastError(): Error | undefined;
}

/** Keepalive, s: a server that stops answering (not only one that closes the socket) is seen within ~1.5x this. */
const KEEPALIVE_S = 10;

/**
 * Passed to MQTT.js's `handleMessage` callback to skip the PUBACK it would send. Why not `customHandleAcks`
 * (MQTT.js's documented hook): MQTT.js handles incoming packets one at a time and does not read the next packet
 * until the hook's callback ran, so holding it until the consumer acks would stall the connection (deliveries
 * one by one, no PINGRESP, keepalive timeout). `handleMessage` followed by an error skips the PUBACK but moves
 * on (mqtt 5.16.0, handlers/publish.js); the PUBACK goes out later through {@link sendPuback}.
 */
const DEFER_PUBACK = new Error('PUBACK deferred until the consumer acks');

/** MQTT.js's own packet writer: it has no public call to send a PUBACK of a message it already handled. */
interface PacketWriter {
  _sendPacket(packet: { cmd: 'puback'; messageId: number; reasonCode: number }): void;
}

function writerOf(client: MqttClient): PacketWriter {
  return client as unknown as PacketWriter;
}

/**
 * Connects one client (MQTT 5). Automatic reconnect is off so that a dead server shows as a closed client,
 * not as a silent retry loop; the client gets an 'error' listener so an error event never crashes the process.
 * @param onPublish installed before connecting: a resumed session's deliveries may arrive with the CONNACK
 * @throws Error saying why (refused, timed out, CONNACK error); the client is ended
 */
export function openClient(url: string, s: ClientSettings, onPublish?: PublishHandler): Promise<OpenClient> {
  const client = connect(url, {
    protocolVersion: 5,
    clientId: s.clientId,
    clean: s.clean,
    keepalive: KEEPALIVE_S,
    reconnectPeriod: 0,
    connectTimeout: s.connectTimeoutMs,
    resubscribe: false,
    manualConnect: true,
    properties: { sessionExpiryInterval: s.sessionExpirySec, ...(s.receiveMaximum !== undefined ? { receiveMaximum: s.receiveMaximum } : {}) },
  });
  if (typeof writerOf(client)._sendPacket !== 'function') {
    client.end(true);
    throw new Error('the installed mqtt package has no MqttClient._sendPacket (relied on for deferred PUBACKs, checked with mqtt 5.16.0): pin mqtt to 5.16.x');
  }
  let last: Error | undefined;
  client.on('error', (err) => {
    last = err;
  });
  if (onPublish !== undefined) {
    client.handleMessage = (packet, done) => {
      onPublish(packet);
      done(packet.qos === 1 ? DEFER_PUBACK : undefined);
    };
  }
  client.connect();
  // Small packets: without this, Nagle's algorithm holds a PUBLISH or PUBACK back behind an unacked segment (tens of ms).
  if (client.stream instanceof Socket) client.stream.setNoDelay(true);
  return new Promise((resolve, reject) => {
    const fail = (err: Error): void => {
      cleanup();
      client.end(true);
      reject(err);
    };
    const onConnect = (connack: IConnackPacket): void => {
      cleanup();
      resolve({ client, connack, lastError: () => last });
    };
    const onError = (err: Error): void => fail(err);
    const onClose = (): void => fail(last ?? new Error('connection closed before CONNACK'));
    // MQTT.js's connectTimeout covers the CONNACK wait; this one also covers a TCP connect that hangs.
    const timer = setTimeout(() => fail(new Error(`no CONNACK within ${s.connectTimeoutMs} ms`)), s.connectTimeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      client.off('connect', onConnect);
      client.off('error', onError);
      client.off('close', onClose);
    };
    client.on('connect', onConnect);
    client.on('error', onError);
    client.on('close', onClose);
  });
}

/** Acknowledges a QoS 1 delivery whose PUBACK was deferred; false when the connection is gone (nothing sent). */
export function sendPuback(client: MqttClient, messageId: number): boolean {
  if (!client.connected) return false;
  writerOf(client)._sendPacket({ cmd: 'puback', messageId, reasonCode: 0 });
  return true;
}

/**
 * Ends a client with a normal DISCONNECT (a session with an expiry interval stays on the server), resolving when
 * the connection is closed; forced after `timeoutMs` (a server that does not answer). Never rejects.
 */
export function endClient(client: MqttClient, timeoutMs: number): Promise<void> {
  if (!client.connected) {
    // Already closed (server gone): nothing to say goodbye to, and MQTT.js would wait for the dead socket.
    client.end(true);
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.end(true);
      resolve();
    }, timeoutMs);
    client.end(false, {}, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
