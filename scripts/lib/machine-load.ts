/**
 * How busy the whole machine is, read from Linux /proc: CPU time by kind (steal included), the load average and
 * CPU pressure (PSI). Read at the start and the end of a run to tell whether other work disturbed it.
 */
import { readFile } from 'node:fs/promises';
import type { CpuTimes, MachineReading } from '../../reporters/run-conditions.ts';

/**
 * Parses the aggregate (`cpu `) line of /proc/stat; null when absent or malformed. `total` is user + nice +
 * system + idle + iowait + irq + softirq + steal (guest time is already inside user and nice), `idle` is
 * idle + iowait, `steal` the time the hypervisor ran something else while a virtual CPU wanted to run.
 */
export function parseCpuTimes(procStat: string): CpuTimes | null {
  const line = /^cpu\s+(.+)$/m.exec(procStat)?.[1];
  if (line === undefined) return null;
  const f = line.trim().split(/\s+/).map(Number);
  // Kernels since 2.6.11 have at least 8 columns (steal is the 8th).
  if (f.length < 8 || f.slice(0, 8).some((n) => !Number.isFinite(n))) return null;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f as [number, number, number, number, number, number, number, number];
  return { total: user + nice + system + idle + iowait + irq + softirq + steal, idle: idle + iowait, steal };
}

/** The 1-, 5- and 15-minute load averages of /proc/loadavg; null when malformed. */
export function parseLoadAvg(text: string): [number, number, number] | null {
  const f = text.trim().split(/\s+/).slice(0, 3).map(Number);
  return f.length === 3 && f.every((n) => Number.isFinite(n) && n >= 0) ? (f as [number, number, number]) : null;
}

/**
 * The cumulative `total=` of the `some` line of /proc/pressure/cpu: microseconds during which at least one
 * runnable task waited for a CPU. Null when absent (kernels without PSI).
 */
export function parsePressureSomeUs(text: string): number | null {
  const match = /^some\s.*\btotal=(\d+)/m.exec(text);
  return match ? Number(match[1]) : null;
}

const readOrNull = (path: string): Promise<string | null> => readFile(path, 'utf8').catch(() => null);

/** One reading of the machine now; a field is null where this kernel does not provide it. */
export async function readMachineLoad(): Promise<MachineReading> {
  const [stat, loadavg, pressure] = await Promise.all([readOrNull('/proc/stat'), readOrNull('/proc/loadavg'), readOrNull('/proc/pressure/cpu')]);
  return {
    t: Date.now(),
    cpu: stat === null ? null : parseCpuTimes(stat),
    loadAvg: loadavg === null ? null : parseLoadAvg(loadavg),
    cpuPressureUs: pressure === null ? null : parsePressureSomeUs(pressure),
  };
}
