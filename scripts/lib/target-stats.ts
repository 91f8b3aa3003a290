/** Reads a target's `/stats` and `/health` (the shape every target serves, see docs/ARCHITECTURE.md). */
import { authHeaders } from '../../targets/common/auth.ts';

export interface TargetStats {
  target: string;
  ops: number;
  connections: { current: number; peak: number };
  rssBytes: number;
}

/**
 * GET `<baseUrl>/stats`; null when the target does not answer in time.
 * @param timeoutMs give up after this long (default 2000)
 */
export async function fetchStats(baseUrl: string, timeoutMs = 2000): Promise<TargetStats | null> {
  try {
    // `/stats` needs the token when TIDEMARK_AUTH_TOKEN is set (`/health` stays open).
    const res = await fetch(`${baseUrl}/stats`, { headers: authHeaders(), signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return null;
    return (await res.json()) as TargetStats;
  } catch {
    return null;
  }
}

/** `GET /stats/handling-time` of a target that keeps a handling-time histogram (targets/common/handling-time.ts). */
export interface HandlingTimeReading {
  what: string;
  count: number;
  /** The cumulative histogram of µs, compressed base64 (hdr-histogram-js). */
  histogram: string;
}

/**
 * GET `<baseUrl>/stats/handling-time`: `'absent'` when the target does not serve it (404: another target, or
 * `TIDEMARK_HANDLING_TIME=0`), null when it did not answer in time.
 * @param timeoutMs give up after this long (default 2000)
 */
export async function fetchHandlingTime(baseUrl: string, timeoutMs = 2000): Promise<HandlingTimeReading | 'absent' | null> {
  try {
    const res = await fetch(`${baseUrl}/stats/handling-time`, { headers: authHeaders(), signal: AbortSignal.timeout(timeoutMs) });
    if (res.status === 404) {
      await res.arrayBuffer();
      return 'absent';
    }
    if (!res.ok) return null;
    const body = (await res.json()) as Partial<HandlingTimeReading>;
    if (typeof body.what !== 'string' || typeof body.count !== 'number' || typeof body.histogram !== 'string') return null;
    return { what: body.what, count: body.count, histogram: body.histogram };
  } catch {
    return null;
  }
}

/** True when `<baseUrl>/health` answers 200. */
export async function isHealthy(baseUrl: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Polls `/health` until it answers, the process dies, or `timeoutMs` passes.
 * @param timeoutMs default 20000
 * @param isDead returns a reason when the target process has already exited
 */
export async function waitHealthy(baseUrl: string, timeoutMs = 20_000, isDead: () => string | null = () => null): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const dead = isDead();
    if (dead !== null) throw new Error(`target exited before it was healthy: ${dead}`);
    if (await isHealthy(baseUrl, 500)) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`target at ${baseUrl} was not healthy after ${timeoutMs} ms (GET /health)`);
}
