/** Samples a target's CPU (schedstat) and RSS (from /proc) and its connections and ops (from /stats) once a second. */
import type { ResourceSample } from '../../reporters/run-result.ts';
import { procReader } from './proc-stats.ts';
import { fetchStats } from './target-stats.ts';

export interface ResourceSampler {
  /** Takes one sample now (also used for the before and after marks). */
  sample(): Promise<ResourceSample | null>;
  /** Stops the timer and returns every sample taken; safe to call more than once. */
  stop(): Promise<ResourceSample[]>;
}

/**
 * Starts sampling. `pid` null (a target we did not start) samples /stats only.
 * @param intervalMs default 1000
 */
export function startSampler(pid: number | null, baseUrl: string, intervalMs = 1000): ResourceSampler {
  const samples: ResourceSample[] = [];
  let pending: Promise<unknown> = Promise.resolve();
  const proc = pid === null ? null : procReader(pid);

  async function sample(): Promise<ResourceSample | null> {
    const [snap, stats] = await Promise.all([proc === null ? null : proc.read(), fetchStats(baseUrl, 900)]);
    if (snap === null && stats === null) return null;
    const point: ResourceSample = {
      t: Date.now(),
      cpuMs: snap?.cpuMs ?? 0,
      rssKB: snap?.rssKB ?? (stats ? Math.round(stats.rssBytes / 1024) : 0),
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
