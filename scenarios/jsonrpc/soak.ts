/**
 * JSON-RPC soak: the churn shape held for 10 minutes at 10 MCP sessions/s (about 6,000 sessions opened, used
 * and deleted), so that memory kept per session shows as a rising target RSS. The gate holds it to the RSS
 * slope limit (docs/RELIABILITY.md); `npm run gate -- --only jsonrpc/soak`.
 * Env: as jsonrpc/churn; TIDEMARK_DURATION (default 10m) bounds it.
 */
import { jsonRpcChurn } from '../lib/jsonrpc-churn.ts';

const soak = jsonRpcChurn({ profile: 'soak', durationS: 600, sessionsPerS: 10 });

export const options = soak.options;
export default soak.iteration;
export const setup = soak.setup;
export const teardown = soak.teardown;
export const handleSummary = soak.handleSummary;
