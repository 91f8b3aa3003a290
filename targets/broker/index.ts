/** Entry of the broker reference target: `node --import tsx targets/broker/index.ts [--port N] [--host H]`. */
import { anyFault, describeFaults, FAULTS_HELP } from '../common/faults.ts';
import { runTarget } from '../common/lifecycle.ts';
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
See targets/broker/README.md.`;

await runTarget({
  name: 'broker',
  defaultPort: 8083,
  details: DETAILS,
  create: () => createBrokerServer(),
  notes: () => {
    const faults = brokerOptionsFromEnv().faults;
    return anyFault(faults) ? [describeFaults(faults)] : [];
  },
});
