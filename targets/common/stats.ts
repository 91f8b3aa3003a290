/** The base `/stats` shape every target returns (ARCHITECTURE "Target contract"). */
import { performance } from 'node:perf_hooks';
import type { ConnectionCounts } from './connections.ts';
import { processUsage } from './proc.ts';

/** Fields every target's `/stats` has; targets add their own beside them. */
export interface BaseStats {
  target: string;
  /** Seconds since the server object was created. */
  uptimeS: number;
  /** Units of work done (SSE: events written to a client), monotonic. */
  ops: number;
  connections: ConnectionCounts;
  rssBytes: number;
  /** V8 heap in use: tells per-connection state from GC headroom when RSS moves. */
  heapUsedBytes: number;
  cpuUs: { user: number; system: number };
}

/**
 * Builds the base stats now.
 * @param startedAt `performance.now()` at server creation
 */
export function baseStats(target: string, startedAt: number, ops: number, connections: ConnectionCounts): BaseStats {
  const usage = processUsage();
  return {
    target,
    uptimeS: Math.round(performance.now() - startedAt) / 1000,
    ops,
    connections: { current: connections.current, peak: connections.peak },
    rssBytes: usage.rssBytes,
    heapUsedBytes: process.memoryUsage().heapUsed,
    cpuUs: usage.cpuUs,
  };
}
