/** CPU time and resident memory of a process, read from Linux /proc. */
import { readFile } from 'node:fs/promises';

/** Clock ticks per second for /proc/<pid>/stat times; 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;

export interface ProcSnapshot {
  /** user + system CPU time, ms */
  cpuMs: number;
  rssKB: number;
}

/** Reads CPU time and RSS of `pid`; null when the process is gone. */
export async function readProc(pid: number): Promise<ProcSnapshot | null> {
  try {
    const [stat, status] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8'),
      readFile(`/proc/${pid}/status`, 'utf8'),
    ]);
    // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const rss = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    return { cpuMs: ((utime + stime) * 1000) / CLOCK_TICKS, rssKB: rss ? Number(rss[1]) : 0 };
  } catch {
    return null;
  }
}
