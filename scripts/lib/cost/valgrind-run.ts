/**
 * One target process under `valgrind --tool=cachegrind`: started, ready when it prints its `listening on` line,
 * stopped with SIGTERM, and its instruction count read from cachegrind's output file.
 */
import type { ChildProcess } from 'node:child_process';
import { execFile, spawnSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exited, spawnTracked, stopChild } from '../children.ts';
import { logChildTo } from '../log-file.ts';
import { instructionsFromCachegrind } from './cachegrind-output.ts';

/**
 * V8 flags that make one run's instruction count repeat in the next (measured: docs/GATE.md). What they remove
 * is work whose amount or moment follows the wall clock, which valgrind stretches 20-50x, more on a busy machine:
 * - `--single-threaded`: no background compiler or GC threads. Under valgrind all threads are serialised and
 *   counted anyway, but a background job finishing earlier or later changes what the main thread does next.
 * - `--predictable`: V8's own determinism mode.
 * - `--hash-seed=1`, `--random-seed=1`: fixed seeds for string hashing, Math.random and V8's address hints.
 * - `--no-incremental-marking`: a major GC runs at once when the heap reaches its limit, instead of in steps
 *   sized by elapsed time and run from a task (an idle target finished a 60 M-instruction marking cycle within
 *   one second of start-up, or not, depending on when the first request came).
 * - `--predictable-gc-schedule`: heap limits that do not depend on the measured GC speed (a time).
 * - `--no-memory-reducer`, `--no-minor-gc-task`: no GCs started by timers or tasks; every GC is triggered by
 *   allocation, so it lands at the same allocation in every run.
 */
export const DETERMINISTIC_NODE_FLAGS = [
  '--single-threaded',
  '--predictable',
  '--hash-seed=1',
  '--random-seed=1',
  '--no-incremental-marking',
  '--predictable-gc-schedule',
  '--no-memory-reducer',
  '--no-minor-gc-task',
  // Packages keep the paths of the probe's staging directory (stage.ts), the same in every checkout.
  '--preserve-symlinks',
] as const;

let setarchFound: boolean | undefined;

/**
 * `setarch -R <command>` when util-linux's setarch is there: address-space randomization off for the target, so
 * that V8's and malloc's addresses, which some of their hash tables are keyed by, are the same in every run
 * (identical SSE runs differed by up to 66 k instructions with it on, 8 k with it off). Else the command as is.
 */
export function withoutAddressRandomization(command: string, args: string[]): [string, string[]] {
  setarchFound ??= spawnSync('setarch', ['--version'], { stdio: 'ignore' }).status === 0;
  return setarchFound ? ['setarch', ['-R', command, ...args]] : [command, args];
}

/** The valgrind executable: `TIDEMARK_VALGRIND`, else `valgrind` on PATH. */
export function valgrindPath(): string {
  return process.env.TIDEMARK_VALGRIND || 'valgrind';
}

/** `valgrind --version` (e.g. `valgrind-3.19.0`); throws saying how to install it when it is missing. */
export async function valgrindVersion(): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(valgrindPath(), ['--version'], { timeout: 10_000 });
    return stdout.trim();
  } catch {
    throw new Error(`valgrind is not installed (\`${valgrindPath()} --version\` failed): run \`npm run setup\`, or \`apt-get install -y valgrind\` as root`);
  }
}

export interface CachegrindTargetOptions {
  /** The target bundle (`.mjs`) to run with node. */
  bundle: string;
  /** Working directory of the target (its repository, so its node_modules resolve). */
  cwd: string;
  /** Loopback port for `--port`. */
  port: number;
  /** Full environment of the target process. */
  env: NodeJS.ProcessEnv;
  /** Folder for the cachegrind output file and the target's log. */
  workDir: string;
  /** Name of this run's files inside workDir, e.g. `jsonrpc-r1-small`. */
  name: string;
  /** Node flags before the bundle (default {@link DETERMINISTIC_NODE_FLAGS}). */
  nodeFlags?: readonly string[];
  /** A module loaded before the bundle (`--import`), e.g. the virtual clock. Default none. */
  preload?: string;
  /** Keep cachegrind's output file after reading it, for `cg_annotate` / `cg_diff` (default false). */
  keepOutput?: boolean;
  /** How long start-up under valgrind may take, ms (default 120000: a busy machine slows valgrind a lot). */
  readyTimeoutMs?: number;
}

/** A running target under cachegrind. */
export interface CachegrindTarget {
  readonly baseUrl: string;
  /** Process id of the target (valgrind runs it in its own process: the same pid). */
  readonly pid: number;
  readonly logFile: string;
  /** Writes one line to the target's stdin (the virtual clock's commands). */
  send(line: string): void;
  /**
   * SIGTERM, wait for the exit (the target closes and exits 0), then the instructions it executed over its
   * whole life. Throws when it exits abnormally or cachegrind wrote no totals.
   * @param timeoutMs SIGKILL after this long (default 60000)
   */
  stop(timeoutMs?: number): Promise<number>;
  /** Kills it, for clean-up after a failure (no figure). */
  kill(): Promise<void>;
}

/** Resolves when `child` prints `listening on`; rejects when it exits first or `timeoutMs` passes. */
function waitListening(child: ChildProcess, timeoutMs: number, logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => done(new Error(`the target under valgrind did not print "listening on" within ${timeoutMs} ms; see ${logFile}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      seen = (seen + chunk.toString('utf8')).slice(-4096);
      if (seen.includes('listening on ')) done();
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
      done(new Error(`the target under valgrind exited (${signal ?? `code ${code}`}) before it was listening; see ${logFile}`));
    const done = (err?: Error): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

/**
 * Starts `node <flags> <bundle> --port <port>` under cachegrind (instruction counts only, no cache simulation)
 * and waits until it listens. Readiness comes from its stdout, not from polling `/health`: every poll the
 * target answered would be counted, and how many polls start-up takes depends on timing.
 */
export async function startUnderCachegrind(opts: CachegrindTargetOptions): Promise<CachegrindTarget> {
  const outFile = join(opts.workDir, `${opts.name}.cachegrind.out`);
  const logFile = join(opts.workDir, `${opts.name}.log`);
  const args = [
    '--tool=cachegrind',
    '--cache-sim=no',
    `--cachegrind-out-file=${outFile}`,
    process.execPath,
    ...(opts.nodeFlags ?? DETERMINISTIC_NODE_FLAGS),
    ...(opts.preload === undefined ? [] : ['--import', opts.preload]),
    opts.bundle,
    '--port',
    String(opts.port),
  ];
  const [command, commandArgs] = withoutAddressRandomization(valgrindPath(), args);
  const child = spawnTracked(command, commandArgs, { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
  logChildTo(child, logFile);
  child.stdin?.on('error', () => {}); // a target that died is reported by stop(), not by an EPIPE here
  const spawnError = new Promise<never>((_, reject) => child.once('error', (err) => reject(new Error(`cannot start ${valgrindPath()}: ${err.message}; run \`npm run setup\``))));
  spawnError.catch(() => {});
  try {
    await Promise.race([waitListening(child, opts.readyTimeoutMs ?? 120_000, logFile), spawnError]);
  } catch (err) {
    await stopChild(child, 2000);
    throw err;
  }
  return {
    baseUrl: `http://127.0.0.1:${opts.port}`,
    pid: child.pid as number,
    logFile,
    send(line) {
      child.stdin?.write(`${line}\n`);
    },
    async stop(timeoutMs = 60_000) {
      const done = exited(child);
      child.kill('SIGTERM');
      const timer = setTimeout(() => void stopChild(child, 0), timeoutMs);
      const { code, signal } = await done;
      clearTimeout(timer);
      if (code !== 0) throw new Error(`the target under valgrind ended with ${signal ?? `code ${code}`} instead of exiting 0 on SIGTERM (within ${timeoutMs} ms); see ${logFile}`);
      const text = await readFile(outFile, 'utf8').catch(() => {
        throw new Error(`cachegrind wrote no output file ${outFile}; see ${logFile}`);
      });
      if (!opts.keepOutput) await rm(outFile, { force: true });
      return instructionsFromCachegrind(text);
    },
    kill: () => stopChild(child, 2000),
  };
}
