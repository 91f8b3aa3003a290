/** Starts the N k6 processes of a segmented run at once, each with its share of the test, and waits for all. */
import type { ChildProcess } from 'node:child_process';
import { exited, spawnTracked, stopChild } from './children.ts';
import { k6RunArgs } from './k6-args.ts';
import { pinnedCommand } from './cpu-pinning.ts';
import { logChildTo } from './log-file.ts';
import { segmentFiles, segmentFlags, type SegmentFiles } from './segments.ts';

export interface SegmentRunOptions {
  /** The k6 binary. */
  k6: string;
  /** The scenario file. */
  script: string;
  /** `-e` variables of the whole run; TIDEMARK_SUMMARY_FILE is replaced per segment. */
  vars: Record<string, string>;
  /** `--tag` tags of the whole run; each segment adds `instance=<i>`. */
  tags: Record<string, string>;
  /** Further k6 flags for every segment, such as the InfluxDB output. */
  extraArgs: string[];
  /** Number of segments (k6 processes), at least 1. */
  count: number;
  /** Run result path without `.json`: segment files are `<base>.seg<i>.*`. */
  base: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  log: (line: string) => void;
  /** CPUs every k6 process is pinned to with taskset (scripts/lib/cpu-pinning.ts); default null, unpinned. */
  cpus?: string | null;
  /** Called with each k6 process's pid right after it starts (the run's conditions probe watches it). Default none. */
  onSpawn?: (pid: number) => void;
}

/** One finished segment: its files and k6's exit code (128 when killed by a signal). */
export interface SegmentOutcome extends SegmentFiles {
  exitCode: number;
}

/** The `k6 run` argv of segment `index`: the run's flags, the segment's share, its own summary and samples. */
export function segmentArgs(opts: Omit<SegmentRunOptions, 'k6' | 'env' | 'cwd' | 'log'>, index: number): string[] {
  const files = segmentFiles(opts.base, index);
  const vars = { ...opts.vars, TIDEMARK_SUMMARY_FILE: files.summary };
  const tags = { ...opts.tags, instance: String(index) };
  return k6RunArgs({
    vars,
    tags,
    extra: [...opts.extraArgs, ...segmentFlags(index, opts.count), '--out', `json=${files.samples}`],
    script: opts.script,
  });
}

/**
 * Runs every segment in parallel and resolves when all have exited. Children that are still running when
 * this throws (or the harness is interrupted) are stopped.
 */
export async function runK6Segments(opts: SegmentRunOptions): Promise<SegmentOutcome[]> {
  const procs: ChildProcess[] = [];
  try {
    opts.log(`  k6 ${opts.tags.scenario ?? opts.script}: ${opts.count} segments, logs in ${segmentFiles(opts.base, 0).k6Log.replace('.seg0.', '.seg<i>.')}`);
    for (let i = 0; i < opts.count; i++) {
      const cmd = pinnedCommand(opts.cpus ?? null, opts.k6, segmentArgs(opts, i));
      const proc = spawnTracked(cmd.command, cmd.args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
      if (proc.pid !== undefined) opts.onSpawn?.(proc.pid);
      logChildTo(proc, segmentFiles(opts.base, i).k6Log);
      procs.push(proc);
    }
    const exits = await Promise.all(procs.map((p) => exited(p)));
    return exits.map((e, i) => ({ ...segmentFiles(opts.base, i), exitCode: e.code ?? 128 }));
  } finally {
    await Promise.all(procs.map((p) => stopChild(p)));
  }
}

/**
 * One exit code for the whole run: the first segment's code that means "k6 did not complete" (anything but
 * 0 and 99), else 99 when any segment crossed a threshold, else 0.
 */
export function mergedExitCode(codes: number[]): number {
  const failed = codes.find((c) => c !== 0 && c !== 99);
  if (failed !== undefined) return failed;
  return codes.includes(99) ? 99 : 0;
}
