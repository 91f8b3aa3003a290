/** Samples a target's CPU and RSS (from /proc) and its connections and ops (from /stats) once a second. */
import type { ResourceSample } from '../../reporters/run-result.ts';
import { readProc } from './proc-stats.ts';
import { fetchStats } from './target-stats.ts';

export interface ResourceSampler {
  /** Takes one sample now (also used for the before and after marks). */
  sample(): Promise<ResourceSample | null>;
  /** Stops the timer and returns every sample taken. */
  stop(): Promise<ResourceSample[]>;
}

/**
 * Starts sampling. `pid` null (a target we did not start) samples /stats only.
 * @param intervalMs default 1000
 */
export function startSampler(pid: number | null, baseUrl: string, intervalMs = 1000): ResourceSampler {
  const samples: ResourceSample[] = [];
  let pending: Promise<unknown> = Promise.resolve();

  async function sample(): Promise<ResourceSample | null> {
    const [proc, stats] = await Promise.all([pid === null ? null : readProc(pid), fetchStats(baseUrl, 900)]);
    if (proc === null && stats === null) return null;
    const point: ResourceSample = {
      t: Date.now(),
      cpuMs: proc?.cpuMs ?? 0,
      rssKB: proc?.rssKB ?? (stats ? Math.round(stats.rssBytes / 1024) : 0),
      connections: stats?.connections.current ?? null,
      ops: stats?.ops ?? null,
    };
    samples.push(point);
    return point;
  }

  const timer = setInterval(() => {
    pending = sample();
  }, intervalMs);

  return {
    sample,
    async stop() {
      clearInterval(timer);
      await pending;
      return samples;
    },
  };
}
