/** Samples a target's CPU (schedstat) and RSS (from /proc) and its connections and ops (from /stats) once a second. */
import type { ResourceSample } from '../../reporters/run-result.ts';
import type { HandlingReading } from '../../reporters/server-latency.ts';
import { procReader } from './proc-stats.ts';
import { fetchHandlingTime, fetchStats } from './target-stats.ts';

export interface ResourceSampler {
  /** Takes one sample now (also used for the before and after marks). */
  sample(): Promise<ResourceSample | null>;
  /** Stops the timer and returns every sample taken; safe to call more than once. */
  stop(): Promise<ResourceSample[]>;
  /**
   * The target's handling-time histogram read with each sample (same `t`), for targets that keep one
   * (targets/common/handling-time.ts); empty for the others.
   */
  handlingReadings(): HandlingReading[];
}

/**
 * Starts sampling. `pid` null (a target we did not start) samples /stats only.
 * @param intervalMs default 1000
 */
export function startSampler(pid: number | null, baseUrl: string, intervalMs = 1000): ResourceSampler {
  const samples: ResourceSample[] = [];
  const handling: HandlingReading[] = [];
  // Unknown until the first answer; a target without the histogram is not asked again.
  let handlingServed = true;
  let pending: Promise<unknown> = Promise.resolve();
  const proc = pid === null ? null : procReader(pid);

  async function sample(): Promise<ResourceSample | null> {
    const [snap, stats, times] = await Promise.all([
      proc === null ? null : proc.read(),
      fetchStats(baseUrl, 900),
      handlingServed ? fetchHandlingTime(baseUrl, 900) : null,
    ]);
    if (times === 'absent') handlingServed = false;
    if (snap === null && stats === null) return null;
    const point: ResourceSample = {
      t: Date.now(),
      cpuMs: snap?.cpuMs ?? 0,
      ...(snap === null || snap.tickCpuMs === null ? {} : { cpuTicksMs: snap.tickCpuMs }),
      rssKB: snap?.rssKB ?? (stats ? Math.round(stats.rssBytes / 1024) : 0),
      connections: stats?.connections.current ?? null,
      ops: stats?.ops ?? null,
    };
    samples.push(point);
    if (times !== null && times !== 'absent') handling.push({ t: point.t, ...times });
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
    handlingReadings: () => handling,
  };
}
