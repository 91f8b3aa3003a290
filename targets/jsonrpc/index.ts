/** Entry of the JSON-RPC/MCP reference target: `node --import tsx targets/jsonrpc/index.ts [--port N] [--host H]`. */
import { anyFault, describeFaults, FAULTS_HELP } from '../common/faults.ts';
import { runTarget } from '../common/lifecycle.ts';
import { jsonRpcOptionsFromEnv } from './options.ts';
import { createJsonRpcServer } from './server.ts';

const DETAILS = `JSON-RPC 2.0 and MCP reference target.
  POST /rpc      JSON-RPC 2.0: single calls, batches, notifications. Methods: echo, compute, sleep,
                 tools/list, tools/call (tools echo, compute, sleep; results cached).
  POST|GET|DELETE /mcp   Model Context Protocol, Streamable HTTP, sessions (official TypeScript SDK).
  GET /health, GET /stats
Environment (defaults): TIDEMARK_JSONRPC_MAX_BODY_BYTES (1048576), TIDEMARK_JSONRPC_MAX_BATCH (100),
  TIDEMARK_JSONRPC_MAX_SESSIONS (5000), TIDEMARK_JSONRPC_SESSION_IDLE_MS (300000),
  TIDEMARK_JSONRPC_MAX_SLEEP_MS (10000), TIDEMARK_JSONRPC_MAX_ITERATIONS (10000000),
  TIDEMARK_JSONRPC_CACHE_ENTRIES (10000),
  ${FAULTS_HELP}
  auth: TIDEMARK_AUTH_TOKEN (unset = off): every path but /health needs Authorization: Bearer <token>.
See targets/jsonrpc/README.md.`;

await runTarget({
  name: 'jsonrpc',
  defaultPort: 8082,
  details: DETAILS,
  create: () => createJsonRpcServer(),
  notes: () => {
    const faults = jsonRpcOptionsFromEnv().faults;
    return anyFault(faults) ? [describeFaults(faults)] : [];
  },
});
