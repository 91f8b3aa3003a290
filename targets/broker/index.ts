/** Entry of the broker reference target: `node --import tsx targets/broker/index.ts [--port N] [--host H]`. */
import { anyFault, describeFaults, FAULTS_HELP } from '../common/faults.ts';
import { runTarget } from '../common/lifecycle.ts';
import { BACKEND_ENV, BROKER_BACKENDS, backendFromEnv, DEFAULT_BROKER_BACKEND, KAFKA_NOTE, openBrokerBackend } from './backend-choice.ts';
import { BACKEND_SERVERS } from './backend-servers.ts';
import { brokerOptionsFromEnv, describeEnv } from './options.ts';
import { createBrokerServer } from './server.ts';

const DETAILS = `Pub/sub broker reference target (WebSocket, JSON text frames, at-least-once).
  GET /ws (WebSocket)   client frames: {"op":"sub","topic","group"?,"durable"?,"ack"?,"prefetch"?,"ackTimeoutMs"?}
                        {"op":"pub","topic","id","cid"?,"data"}  {"op":"ack"|"nack","topic","seq","receipt"?}  {"op":"unsub","topic"}
                        broker frames: subscribed, ok (publisher confirm), msg (delivery), acked/nacked, unsubscribed, error
  GET /health, GET /stats
Environment (defaults): ${describeEnv().join(', ')},
  ${FAULTS_HELP}
  auth: TIDEMARK_AUTH_TOKEN (unset = off): every path but /health needs Authorization: Bearer <token>.
  backend: ${BACKEND_ENV}=${BROKER_BACKENDS.join('|')} (default ${DEFAULT_BROKER_BACKEND}); rabbitmq connects to
    ${BACKEND_SERVERS.rabbitmq.urlEnv} (default amqp://127.0.0.1:${BACKEND_SERVERS.rabbitmq.defaultPort}), mqtt to ${BACKEND_SERVERS.mosquitto.urlEnv} (default mqtt://127.0.0.1:${BACKEND_SERVERS.mosquitto.defaultPort});
    start those servers with \`npm run backend -- start rabbitmq|mosquitto\`. ${KAFKA_NOTE}
See targets/broker/README.md.`;

await runTarget({
  name: 'broker',
  defaultPort: 8083,
  details: DETAILS,
  create: async () => {
    const options = brokerOptionsFromEnv();
    return createBrokerServer(options, await openBrokerBackend(backendFromEnv(), options));
  },
  notes: () => {
    const faults = brokerOptionsFromEnv().faults;
    const backend = backendFromEnv();
    return [...(backend === DEFAULT_BROKER_BACKEND ? [] : [`backend: ${backend}`]), ...(anyFault(faults) ? [describeFaults(faults)] : [])];
  },
});
