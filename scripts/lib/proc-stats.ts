/**
 * A process's CPU time, run-queue wait and resident memory, read from Linux /proc.
 *
 * CPU time comes from `/proc/<pid>/task/<tid>/schedstat` (nanoseconds, per thread) rather than the utime and
 * stime of `/proc/<pid>/stat`, which count in 10 ms clock ticks: over a few seconds of a run, ticks alone move
 * CPU per operation by several percent. `/proc/<pid>/schedstat` covers the main thread only, so every thread
 * is read (Node has V8 and libuv worker threads; k6, a Go program, has many).
 */
import { readdir, readFile } from 'node:fs/promises';

/** One schedstat line: time on a CPU, time waiting on a run queue for one (both ns), timeslices run. */
export interface Schedstat {
  cpuNs: number;
  waitNs: number;
  slices: number;
}

/** Parses `/proc/<pid>/task/<tid>/schedstat` (`<cpu ns> <run-queue wait ns> <timeslices>`); null when malformed. */
export function parseSchedstat(text: string): Schedstat | null {
  const fields = text.trim().split(/\s+/);
  if (fields.length < 3) return null;
  const [cpuNs, waitNs, slices] = fields.slice(0, 3).map(Number) as [number, number, number];
  if (![cpuNs, waitNs, slices].every((n) => Number.isFinite(n) && n >= 0)) return null;
  return { cpuNs, waitNs, slices };
}

/** Clock ticks per second of /proc/<pid>/stat times: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;

/**
 * utime + stime of `/proc/<pid>/stat` (every thread, dead ones included), ms, in 10 ms steps: the figure CPU
 * per operation came from before schedstat, kept beside it only for issue 12's before/after A/A comparison.
 * The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
 */
export function parseStatCpuMs(stat: string): number | null {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) && fields.length > 12 ? ((utime + stime) * 1000) / CLOCK_TICKS : null;
}

/** VmRSS of `/proc/<pid>/status`, KB; null when absent (a zombie has none). */
export function parseRssKB(status: string): number | null {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) : null;
}

/** `Cpus_allowed_list` of `/proc/<pid>/status` (the CPUs the process may run on, e.g. `0-1`); null when absent. */
export function parseCpusAllowed(status: string): string | null {
  return /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1] ?? null;
}

/**
 * Totals over every thread of one process. A thread that exits keeps the figure of its last reading, so the
 * totals never go backwards; what it ran between that reading and its exit is lost (Node's and k6's threads
 * live as long as the process, so this is rare).
 */
export class ThreadSchedstats {
  private readonly byThread = new Map<string, Schedstat>();

  constructor(readonly pid: number) {}

  /** Reads every thread now; null when the process is gone. */
  async read(): Promise<Schedstat | null> {
    let tids: string[];
    try {
      tids = await readdir(`/proc/${this.pid}/task`);
    } catch {
      return null;
    }
    const lines = await Promise.all(
      // A thread may exit between the listing and the read: it keeps its last figure.
      tids.map((tid) => readFile(`/proc/${this.pid}/task/${tid}/schedstat`, 'utf8').catch(() => null)),
    );
    tids.forEach((tid, i) => {
      const parsed = lines[i] ? parseSchedstat(lines[i]) : null;
      if (parsed) this.byThread.set(tid, parsed);
    });
    return this.totals();
  }

  /** Sums of the last reading of every thread seen so far. */
  totals(): Schedstat {
    const sum: Schedstat = { cpuNs: 0, waitNs: 0, slices: 0 };
    for (const s of this.byThread.values()) {
      sum.cpuNs += s.cpuNs;
      sum.waitNs += s.waitNs;
      sum.slices += s.slices;
    }
    return sum;
  }
}

export interface ProcSnapshot {
  /** Time on a CPU over every thread so far (user + system), ms. */
  cpuMs: number;
  /** Time its threads waited on a run queue for a CPU so far, ms. */
  waitMs: number;
  /** The same CPU time from /proc/<pid>/stat clock ticks (10 ms steps), for the A/A comparison; null when unread. */
  tickCpuMs: number | null;
  rssKB: number;
}

/** Reads one process again and again (keeps per-thread figures between reads, see ThreadSchedstats). */
export interface ProcReader {
  readonly pid: number;
  /** CPU, run-queue wait and RSS now; null when the process is gone. */
  read(): Promise<ProcSnapshot | null>;
}

export function procReader(pid: number): ProcReader {
  const threads = new ThreadSchedstats(pid);
  return {
    pid,
    async read() {
      const [sched, status, stat] = await Promise.all([
        threads.read(),
        readFile(`/proc/${pid}/status`, 'utf8').catch(() => null),
        readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null),
      ]);
      if (sched === null || status === null) return null;
      return { cpuMs: sched.cpuNs / 1e6, waitMs: sched.waitNs / 1e6, tickCpuMs: stat === null ? null : parseStatCpuMs(stat), rssKB: parseRssKB(status) ?? 0 };
    },
  };
}

/** The CPUs `pid` may run on (`0-1`, `1`), or null when it is gone. */
export async function readCpusAllowed(pid: number): Promise<string | null> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
  return status === null ? null : parseCpusAllowed(status);
}

/** The command name of `pid` (`/proc/<pid>/comm`, e.g. `node`, `k6`), or null when it is gone. */
export async function readComm(pid: number): Promise<string | null> {
  const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => null);
  return comm === null ? null : comm.trim();
}
