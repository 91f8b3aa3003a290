/**
 * Watches how undisturbed a run is: the run-queue wait and CPU of the target and of every k6 process (schedstat,
 * all threads), and the machine's steal, CPU pressure and load average at both ends. k6 is read once a second
 * because its /proc entry is gone by the time the run ends; its figures cover its start to its last reading.
 */
import type { RunConditions } from '../../reporters/run-result.ts';
import { runConditions, type MachineReading, type ProcessReading, type WatchedProcess } from '../../reporters/run-conditions.ts';
import { readMachineLoad } from './machine-load.ts';
import { procReader, readCpusAllowed, type ProcReader } from './proc-stats.ts';

export interface ConditionsProbe {
  /** Watches a k6 process from now on (call right after spawning it). */
  watchK6(pid: number): void;
  /** Takes the end readings, stops the timer and returns the run's conditions. */
  finish(): Promise<RunConditions>;
  /** Stops the timer without a result (a run that failed or was interrupted); safe to call more than once. */
  stop(): void;
}

export interface ConditionsProbeOptions {
  /** The target's pid; null when the harness did not start it. */
  targetPid: number | null;
  pinned: boolean;
  pinNote: string | null;
  /** Time between readings of k6 and the target, ms (default 1000). */
  intervalMs?: number;
}

/** One process: its reader, first and last readings so far, and its CPU affinity as last read. */
class Watch {
  first: ProcessReading | null = null;
  last: ProcessReading | null = null;
  cpus: string | null = null;
  private readonly reader: ProcReader;

  constructor(pid: number) {
    this.reader = procReader(pid);
  }

  async read(): Promise<void> {
    // Affinity is read every time: right after spawn, taskset may not have set it yet.
    const [snap, cpus] = await Promise.all([this.reader.read(), readCpusAllowed(this.reader.pid)]);
    if (snap === null) return;
    const reading = { t: Date.now(), cpuMs: snap.cpuMs, waitMs: snap.waitMs };
    this.first ??= reading;
    this.last = reading;
    if (cpus !== null) this.cpus = cpus;
  }

  watched(): WatchedProcess | null {
    return this.first && this.last ? { first: this.first, last: this.last, cpus: this.cpus } : null;
  }
}

/** Takes the start readings (machine, target) and starts the timer. */
export async function startConditionsProbe(opts: ConditionsProbeOptions): Promise<ConditionsProbe> {
  const target = opts.targetPid === null ? null : new Watch(opts.targetPid);
  const k6: Watch[] = [];
  const [start] = await Promise.all([readMachineLoad(), target?.read()]);
  let pending: Promise<unknown> = Promise.resolve();
  const readAll = (): Promise<unknown> => Promise.all([target?.read(), ...k6.map((w) => w.read())]);
  const timer = setInterval(() => {
    pending = readAll();
  }, opts.intervalMs ?? 1000);

  return {
    watchK6(pid) {
      const watch = new Watch(pid);
      k6.push(watch);
      pending = Promise.all([pending, watch.read()]);
    },
    stop() {
      clearInterval(timer);
    },
    async finish() {
      clearInterval(timer);
      await pending;
      await readAll();
      const end: MachineReading = await readMachineLoad();
      return runConditions({
        start,
        end,
        target: target?.watched() ?? null,
        k6: k6.map((w) => w.watched()).filter((w): w is WatchedProcess => w !== null),
        pinned: opts.pinned,
        pinNote: opts.pinNote,
      });
    },
  };
}
