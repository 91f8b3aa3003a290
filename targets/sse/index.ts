/** Entry of the SSE reference target: `node --import tsx targets/sse/index.ts [--port N] [--host H]`. */
import { anyFault, describeFaults, FAULTS_HELP } from '../common/faults.ts';
import { runTarget } from '../common/lifecycle.ts';
import { createSseServer } from './server.ts';
import { sseOptionsFromEnv } from './options.ts';

const DETAILS = `SSE reference target.
  GET /events?rate=R&size=S&topic=T   text/event-stream; R events/s per stream (0<R<=1000, default 10),
                                      S payload bytes (0..65536, default 64), optional topic T ([A-Za-z0-9_.-]{1,64})
                                      shared by all its subscribers. Resume with Last-Event-ID (or ?lastEventId=N).
  GET /health, GET /stats
Environment (defaults): TIDEMARK_SSE_HEARTBEAT_MS (15000), TIDEMARK_SSE_TOPIC_GRACE_MS (30000),
  TIDEMARK_SSE_BUFFER (10000 events per topic), TIDEMARK_SSE_BUFFER_BYTES (16777216 per topic),
  TIDEMARK_SSE_BUFFER_TOTAL_BYTES (268435456, all topics),
  TIDEMARK_SSE_MAX_CONNECTIONS (10000), TIDEMARK_SSE_MAX_TOPICS (1000), TIDEMARK_SSE_MAX_BUFFERED_BYTES (1048576),
  ${FAULTS_HELP}
  auth: TIDEMARK_AUTH_TOKEN (unset = off): every path but /health needs Authorization: Bearer <token>.
See targets/sse/README.md.`;

await runTarget({
  name: 'sse',
  defaultPort: 8081,
  details: DETAILS,
  create: () => createSseServer(),
  notes: () => {
    const faults = sseOptionsFromEnv().faults;
    return anyFault(faults) ? [describeFaults(faults)] : [];
  },
});
