/** Resource figures of this process, as every target reports them in `/stats`. */

/** RSS and cumulative CPU time of this process. */
export interface ProcessUsage {
  /** Resident set size in bytes (`process.memoryUsage.rss()`, cheap: no heap walk). */
  rssBytes: number;
  /** CPU time consumed since start, in µs (`process.cpuUsage()`). */
  cpuUs: { user: number; system: number };
}

/** Samples RSS and CPU time now. */
export function processUsage(): ProcessUsage {
  const cpu = process.cpuUsage();
  return { rssBytes: process.memoryUsage.rss(), cpuUs: { user: cpu.user, system: cpu.system } };
}
