/** Custom metrics of the JSON-RPC/MCP scenarios (names are part of the run result and the README). */
import { Counter, Rate, Trend } from 'k6/metrics';

/** Request to answer of one JSON-RPC call, ms; tagged `method` (JSON-RPC method) and `api` (rpc or mcp). */
export const rpcLatency = new Trend('rpc_latency', true);
/** Calls answered with a well-formed JSON-RPC response (result or error). */
export const rpcCalls = new Counter('rpc_calls');
/** Calls the scenario started (asked for), for profiles whose asked rate changes over time. */
export const rpcCallsExpected = new Counter('rpc_calls_expected');
/** Share of failed operations: transport errors, non-2xx, malformed answers, and JSON-RPC `error` bodies not expected. */
export const errors = new Rate('tidemark_errors');
/** Share of cacheable tool calls answered from the target's cache (`_meta["tidemark/cache"] == "hit"`). */
export const cacheHits = new Rate('rpc_cache_hits');
/** MCP progress notifications received. */
export const mcpProgress = new Counter('mcp_progress');
/** MCP progress notifications asked for but not received (steps minus distinct progress values seen). */
export const mcpProgressGaps = new Counter('mcp_progress_gaps');
/** MCP handshake: initialize plus notifications/initialized, ms. */
export const mcpSessionSetup = new Trend('mcp_session_setup', true);
/** A whole short-lived MCP session: initialize, initialized, call, DELETE, ms (churn). */
export const mcpSessionTime = new Trend('mcp_session_time', true);
/** DELETE of an MCP session, ms. */
export const mcpSessionDelete = new Trend('mcp_session_delete', true);
/** MCP sessions opened and deleted cleanly (churn). */
export const mcpSessions = new Counter('mcp_sessions');
