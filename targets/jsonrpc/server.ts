/**
 * The JSON-RPC/MCP reference target: `POST /rpc` (JSON-RPC 2.0 on plain `node:http`,
 * the fast yardstick), `/mcp` (a real MCP server on the official SDK), `/health`, `/stats`.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { authFromEnv, guardRequests } from '../common/auth.ts';
import { createDelayLine } from '../common/delay.ts';
import { createFaults, type FaultConfig } from '../common/faults.ts';
import { BASE_PATHS, HANDLING_TIME_PATH, handleBaseRoutes, notFound, splitUrl } from '../common/http.ts';
import { handlingTimeFromEnv, type HandlingTime } from '../common/handling-time.ts';
import { hardenHttpServer } from '../common/http-limits.ts';
import { closeServer, listen, type RunnableTarget } from '../common/lifecycle.ts';
import { createConnectionMarker } from '../common/request-connections.ts';
import { baseStats, type BaseStats } from '../common/stats.ts';
import type { CacheStats } from './cache.ts';
import { newMcpCounters, newRpcCounters, type McpCounters, type RpcCounters } from './counters.ts';
import { withCallFaults } from './faults.ts';
import { createMcpRoute, type SessionCounts } from './mcp-route.ts';
import { createMethods } from './methods.ts';
import { JSONRPC_DEFAULTS, jsonRpcOptionsFromEnv, type JsonRpcOptions } from './options.ts';
import { handleRpc, type RpcRoute } from './rpc-http.ts';
import { ToolBox } from './tools.ts';

/**
 * `/stats` of this target. `ops` = calls answered on /rpc plus on /mcp; `connections`
 * counts TCP connections that carried a /rpc or /mcp request (not the /stats scrapes).
 */
export interface JsonRpcStats extends BaseStats {
  rpc: RpcCounters;
  mcp: McpCounters & { sessions: SessionCounts };
  /** The `tools/call` result cache, shared by /rpc and every MCP session. */
  cache: CacheStats;
  faults: FaultConfig;
  limits: Omit<JsonRpcOptions, 'faults' | 'random'>;
}

export interface JsonRpcServer extends RunnableTarget {
  /** Binds; port 0 picks a free port. Defaults: port 0, host 127.0.0.1. */
  listen(port?: number, host?: string): Promise<AddressInfo>;
  stats(): JsonRpcStats;
}

const PATHS = ['/rpc', '/mcp', ...BASE_PATHS, HANDLING_TIME_PATH];

/** Times one /rpc or /mcp request from its head being parsed to its response handed to the socket. */
function timeHandling(handling: HandlingTime | undefined, res: ServerResponse): void {
  if (handling === undefined) return;
  const started = performance.now();
  res.once('finish', () => handling.record(performance.now() - started));
}

/**
 * Keep idle keep-alive connections longer than clients do (Go's, k6's, default 90 s idle):
 * with Node's default of 5 s a client can reuse a connection the server is closing at that
 * instant, and a POST is not retried, so the race shows up as a load-test error.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 120_000;

/**
 * Builds the server (not listening yet).
 * @param overrides settings; each missing one comes from the environment via `jsonRpcOptionsFromEnv()`
 */
export function createJsonRpcServer(overrides: Partial<JsonRpcOptions> = {}): JsonRpcServer {
  const options: JsonRpcOptions = { ...jsonRpcOptionsFromEnv(), ...overrides };
  const auth = authFromEnv(); // TIDEMARK_AUTH_TOKEN; undefined = off (targets/common/auth.ts)
  const startedAt = performance.now();
  const faults = createFaults(options.faults, options.random);
  const box = new ToolBox(options);
  const rpcCounters = newRpcCounters();
  const mcpCounters = newMcpCounters();
  const delay = createDelayLine(options.faults.delayMs);
  const rpc: RpcRoute = {
    methods: withCallFaults(createMethods(box, options), faults),
    limits: { maxBatch: options.maxBatch, maxBodyBytes: options.maxBodyBytes },
    counters: rpcCounters,
    delay,
    delayed: options.faults.delayMs > 0,
  };
  const mcp = createMcpRoute(box, faults, mcpCounters, options);
  const marker = createConnectionMarker();
  const handlingTime = handlingTimeFromEnv('request head parsed → response handed to the socket (/rpc and /mcp)');

  const stats = (): JsonRpcStats => {
    const { faults: faultConfig, random: _random, ...limits } = options;
    return {
      ...baseStats('jsonrpc', startedAt, rpcCounters.answered + mcpCounters.answered, marker.counts),
      rpc: { ...rpcCounters, errors: { ...rpcCounters.errors } },
      mcp: { ...mcpCounters, rejected: { ...mcpCounters.rejected }, sessions: { ...mcp.sessions } },
      cache: box.cacheStats(),
      faults: faultConfig,
      limits,
    };
  };

  const server = createServer({ noDelay: true }, guardRequests(auth, (req, res) => {
    const url = req.url ?? '/';
    // Exact matches first: the hot path never builds a query object.
    if (url === '/rpc') {
      marker.mark(req.socket);
      timeHandling(handlingTime, res);
      return handleRpc(req, res, rpc);
    }
    const { path } = splitUrl(url);
    if (path === '/mcp') {
      marker.mark(req.socket);
      timeHandling(handlingTime, res);
      return mcp.handle(req, res);
    }
    if (path === '/rpc') {
      marker.mark(req.socket);
      timeHandling(handlingTime, res);
      return handleRpc(req, res, rpc);
    }
    if (handleBaseRoutes(req, res, path, { target: 'jsonrpc', stats, handlingTime })) return;
    req.resume();
    notFound(res, path, PATHS);
  }));
  // Bounds on slow request heads (slowloris) and on bodies shorter than their Content-Length:
  // with Node's defaults (60 s, 300 s, checked every 30 s) such a request held a socket for minutes.
  hardenHttpServer(server, { keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS });

  return {
    server,
    listen: (port = 0, host = '127.0.0.1') => listen(server, port, host),
    stats,
    async close() {
      delay.clear();
      await mcp.close();
      await closeServer(server);
    },
  };
}

export { JSONRPC_DEFAULTS };
