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
