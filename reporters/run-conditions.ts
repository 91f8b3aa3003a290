/** Turns raw /proc readings taken at the start and end of a run into its `conditions` (see run-result.ts). */
import type { MachineConditions, ProcessConditions, RunConditions } from './run-result.ts';

/** A process's cumulative figures at one moment (from schedstat, summed over its threads). */
export interface ProcessReading {
  /** ms since the epoch */
  t: number;
  cpuMs: number;
  /** Cumulative run-queue wait, ms. */
  waitMs: number;
}

/** The aggregate `cpu` line of /proc/stat, in clock ticks. */
export interface CpuTimes {
  total: number;
  idle: number;
  steal: number;
}

/** The machine at one moment; a field is null where the kernel does not provide it. */
export interface MachineReading {
  /** ms since the epoch */
  t: number;
  cpu: CpuTimes | null;
  loadAvg: [number, number, number] | null;
  /** Cumulative PSI `some` CPU stall, µs. */
  cpuPressureUs: number | null;
}

/** One process watched over a run: its first and last readings and the CPUs it was allowed on. */
export interface WatchedProcess {
  first: ProcessReading;
  last: ProcessReading;
  cpus: string | null;
}

/** The conditions of totals: the run-queue wait per ms of CPU and per ms watched derived in one place. */
function conditionsOf(watchedS: number, cpuMs: number, runQueueMs: number, cpus: ProcessConditions['cpus']): ProcessConditions {
  return {
    watchedS,
    cpuMs,
    runQueueMs,
    runQueuePerCpu: cpuMs > 0 ? runQueueMs / cpuMs : null,
    runQueueShare: watchedS > 0 ? runQueueMs / (watchedS * 1000) : 0,
    cpus,
  };
}

/** CPU, run-queue wait and their ratios between two readings of one process. */
export function processConditions(watched: WatchedProcess): ProcessConditions {
  const { first, last } = watched;
  const watchedS = Math.max(0, (last.t - first.t) / 1000);
  const cpuMs = Math.max(0, last.cpuMs - first.cpuMs);
  const runQueueMs = Math.max(0, last.waitMs - first.waitMs);
  return conditionsOf(watchedS, cpuMs, runQueueMs, watched.cpus);
}

/** Several processes as one (k6 split in segments): times add up, the watched time is the longest. */
export function combinedConditions(watched: WatchedProcess[]): ProcessConditions | null {
  const parts = watched.map(processConditions);
  if (parts.length === 0) return null;
  if (parts.length === 1) return parts[0] ?? null;
  const watchedS = Math.max(...parts.map((p) => p.watchedS));
  const cpuMs = parts.reduce((sum, p) => sum + p.cpuMs, 0);
  const runQueueMs = parts.reduce((sum, p) => sum + p.runQueueMs, 0);
  return conditionsOf(watchedS, cpuMs, runQueueMs, parts[0]?.cpus ?? null);
}

/** Steal, busy and CPU-pressure shares between two machine readings, and the load averages at both. */
export function machineConditions(start: MachineReading, end: MachineReading): MachineConditions {
  const ticks = start.cpu && end.cpu ? end.cpu.total - start.cpu.total : 0;
  const cpuShare = (pick: (c: CpuTimes) => number): number | null =>
    start.cpu && end.cpu && ticks > 0 ? Math.max(0, pick(end.cpu) - pick(start.cpu)) / ticks : null;
  const idleShare = cpuShare((c) => c.idle);
  const wallUs = (end.t - start.t) * 1000;
  return {
    stealShare: cpuShare((c) => c.steal),
    busyShare: idleShare === null ? null : 1 - idleShare,
    cpuPressureShare:
      start.cpuPressureUs !== null && end.cpuPressureUs !== null && wallUs > 0
        ? Math.min(1, Math.max(0, end.cpuPressureUs - start.cpuPressureUs) / wallUs)
        : null,
    loadAvgStart: start.loadAvg,
    loadAvgEnd: end.loadAvg,
  };
}

export interface ConditionsInput {
  /** The machine just before k6 started and just after it ended. */
  start: MachineReading;
  end: MachineReading;
  target: WatchedProcess | null;
  /** Every k6 process (several with segments); empty when none could be read. */
  k6: WatchedProcess[];
  pinned: boolean;
  pinNote: string | null;
}

export function runConditions(input: ConditionsInput): RunConditions {
  return {
    windowS: Math.max(0, (input.end.t - input.start.t) / 1000),
    pinned: input.pinned,
    pinNote: input.pinNote,
    target: input.target ? processConditions(input.target) : null,
    k6: combinedConditions(input.k6),
    machine: machineConditions(input.start, input.end),
  };
}
