/** Entry of the price-engine reference target: `node --import tsx targets/price-engine/index.ts [--port N] [--host H]`. */
import { anyFault, describeFaults, FAULTS_HELP } from '../common/faults.ts';
import { runTarget } from '../common/lifecycle.ts';
import { peOptionsFromEnv } from './options.ts';
import { createPriceEngine } from './server.ts';

const DETAILS = `Price-engine reference target: ticks in, per-symbol quotes (mid, spread, VWAP, last) out.
  POST /ticks                 a tick {"symbol","bid","ask","size","time"}, an array, or {"id":..,"time":..,"ticks":[..]}
                              -> 200 all accepted, 422 some refused (listed), 400 malformed, 413 too big
  GET  /ticks (WebSocket)     the same batches as text messages; acks when "id" is given or a tick is refused
  GET  /quotes?symbols=A,B    text/event-stream of "quote" events (all symbols without the parameter)
  GET  /metrics.json[?mark=ID], GET /metrics (Prometheus), POST /metrics/marks
  POST /perf-test             10,000 ticks at 10,000/s through the engine after a 3 s warm-up; pass = p95 < 1 ms
  GET  /                      live dashboard;  GET /health, GET /stats
Environment (defaults): TIDEMARK_PE_MAX_BODY_BYTES (1048576), TIDEMARK_PE_MAX_MESSAGE_BYTES (1048576),
  TIDEMARK_PE_MAX_BATCH (1000 ticks), TIDEMARK_PE_MAX_SYMBOLS (10000), TIDEMARK_PE_MAX_SUBSCRIBERS (10000),
  TIDEMARK_PE_MAX_WS (1000), TIDEMARK_PE_MAX_SUB_SYMBOLS (100), TIDEMARK_PE_MAX_BUFFERED_BYTES (1048576),
  TIDEMARK_PE_VWAP_WINDOW_MS (10000), TIDEMARK_PE_VWAP_MAX_TICKS (1024), TIDEMARK_PE_HEARTBEAT_MS (15000),
  ${FAULTS_HELP}
  auth: TIDEMARK_AUTH_TOKEN (unset = off): every path but /health needs Authorization: Bearer <token>.
See targets/price-engine/README.md.`;

await runTarget({
  name: 'price-engine',
  defaultPort: 8084,
  details: DETAILS,
  create: () => createPriceEngine(),
  notes: () => {
    const faults = peOptionsFromEnv().faults;
    return anyFault(faults) ? [describeFaults(faults)] : [];
  },
});
