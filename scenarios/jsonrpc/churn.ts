/**
 * JSON-RPC churn: MCP sessions arrive at a constant rate; each iteration opens a new session
 * (initialize, notifications/initialized), makes JSONRPC_CHURN_CALLS tool calls, and DELETEs it, every
 * request on a new TCP connection (no keep-alive). Measures the whole session time, the handshake and
 * delete times, and, after the run, that the target holds no session any more (clean-up).
 * Env: TARGET_URL, JSONRPC_CHURN_RATE (sessions/s, 10), JSONRPC_CHURN_CALLS (1), JSONRPC_SESSION_P95_MS (500),
 * JSONRPC_COMPUTE_ITERATIONS, JSONRPC_CACHE_KEYS, JSONRPC_TOOL_P95_MS, TIDEMARK_DURATION (15s).
 */
import { jsonRpcChurn } from '../lib/jsonrpc-churn.ts';

const churn = jsonRpcChurn({ profile: 'churn', durationS: 15, sessionsPerS: 10 });

export const options = churn.options;
export default churn.iteration;
export const setup = churn.setup;
export const teardown = churn.teardown;
export const handleSummary = churn.handleSummary;
