/**
 * The lifecycle every local server the project starts shares (InfluxDB, RabbitMQ, Mosquitto): find the
 * binary, start it detached with a pid file and a log in its data folder, wait until it answers, report its
 * status, stop it (SIGTERM to its process group, SIGKILL after a grace period).
 */
import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** One kind of server, as the lifecycle sees it. */
export interface DaemonSpec {
  /** Name in messages, e.g. `influxd`. */
  name: string;
  /** Text every process of this server has in its command line: guards against signalling a recycled pid. */
  cmdlineMark: string;
  /** Where the server answers, for messages, e.g. `http://127.0.0.1:8086`. */
  url: string;
  /** Holds the pid file, the log and the server's own data. */
  dataDir: string;
  /** The command that stops it, for messages, e.g. `npm run influx -- stop`. */
  stopCommand: string;
  /** Asks the server whether it is up: its version when it answers, else null. Bounded by `timeoutMs`. */
  probe(timeoutMs: number): Promise<string | null>;
}

export interface DaemonStatus {
  running: boolean;
  /** Pid from our pid file; null when not running or when another process owns the port. */
  pid: number | null;
  url: string;
  /** What `probe` answered; null when the server does not answer. */
  version: string | null;
  /** True when the running server was started by tidemark (our pid file); false for someone else's. */
  managed: boolean;
}

/** How to start the server: the lifecycle adds the pid file, the log and the detaching. */
export interface DaemonLaunch {
  bin: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** How long `start` waits for `probe` to answer, ms. */
  timeoutMs: number;
}

/** The pid file and the log inside the data folder. */
export function daemonPaths(spec: Pick<DaemonSpec, 'name' | 'dataDir'>): { pid: string; log: string } {
  return { pid: join(spec.dataDir, `${spec.name}.pid`), log: join(spec.dataDir, `${spec.name}.log`) };
}

/**
 * The first executable called `bin` (a path, or a name looked up on PATH, /usr/bin and /usr/sbin).
 * @throws Error saying what was looked for and `installHint`
 */
export function findExecutable(bin: string, installHint: string): string {
  const candidates = bin.includes('/')
    ? [bin]
    : [...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, bin)), `/usr/bin/${bin}`, `/usr/sbin/${bin}`];
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // not here; try the next one
    }
  }
  throw new Error(`${bin.includes('/') ? `no executable at ${bin}` : `${bin} not found on PATH`}: ${installHint}`);
}

/** True when `pid` is alive and its command line carries `mark`. */
function isOurs(pid: number, mark: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(mark);
  } catch {
    return !existsSync('/proc'); // no /proc: trust the pid file
  }
}

/** Pid from the pid file when that process is alive and is this server. */
export function livePid(spec: DaemonSpec): number | null {
  const file = daemonPaths(spec).pid;
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && isOurs(pid, spec.cmdlineMark) ? pid : null;
}

/** The last `lines` lines of a log, for error messages. */
export function logTail(logFile: string, lines = 20): string {
  if (!existsSync(logFile)) return '(no log written)';
  return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Running or not, with pid, URL and version. */
export async function daemonStatus(spec: DaemonSpec): Promise<DaemonStatus> {
  const pid = livePid(spec);
  const version = await spec.probe(1000);
  return { running: version !== null, pid, url: spec.url, version, managed: pid !== null };
}

/**
 * Starts the server in the background (its own process group, output appended to the log) and waits until
 * `probe` answers. Idempotent: a server already answering is reported with `alreadyRunning: true`.
 * @param launch called only when a server has to be started (it may write config files)
 * @throws Error when the binary is missing, the server exits early or does not answer in time (with the log tail)
 */
export async function startDaemon(spec: DaemonSpec, launch: () => DaemonLaunch): Promise<DaemonStatus & { alreadyRunning: boolean }> {
  const paths = daemonPaths(spec);
  const current = await daemonStatus(spec);
  if (current.running) return { ...current, alreadyRunning: true };
  if (current.pid !== null) {
    // Ours but not answering yet (still starting): wait for it rather than start a second one.
    return { ...(await waitReady(spec, current.pid, 20_000, () => null)), alreadyRunning: true };
  }
  rmSync(paths.pid, { force: true });
  mkdirSync(spec.dataDir, { recursive: true });
  const { bin, args, env, timeoutMs } = launch();
  writeFileSync(paths.log, `--- tidemark: starting ${spec.name} on ${spec.url} at ${new Date().toISOString()}\n`, { flag: 'a' });
  const fd = openSync(paths.log, 'a');
  let exit: string | null = null;
  try {
    const child = spawn(bin, args, { cwd: spec.dataDir, env, detached: true, stdio: ['ignore', fd, fd] });
    child.on('error', (err) => (exit = `could not start ${bin}: ${err.message}`));
    child.on('exit', (code, signal) => (exit = `${spec.name} exited (${signal ?? `code ${code}`})`));
    child.unref();
    if (child.pid === undefined) await sleep(50); // spawn failure is reported through 'error'
    if (child.pid === undefined) throw new Error(exit ?? `could not start ${bin}`);
    writeFileSync(paths.pid, `${child.pid}\n`);
    return { ...(await waitReady(spec, child.pid, timeoutMs, () => exit)), alreadyRunning: false };
  } finally {
    closeSync(fd);
  }
}

async function waitReady(spec: DaemonSpec, pid: number, timeoutMs: number, exited: () => string | null): Promise<DaemonStatus> {
  const { log } = daemonPaths(spec);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const version = await spec.probe(500);
    if (version !== null) return { running: true, pid, url: spec.url, version, managed: true };
    const why = exited() ?? (isOurs(pid, spec.cmdlineMark) ? null : `${spec.name} is no longer running`);
    if (why !== null) throw new Error(`${why} before it answered on ${spec.url}; log tail (${log}):\n${logTail(log)}`);
    await sleep(100);
  }
  throw new Error(`${spec.name} (pid ${pid}) did not answer on ${spec.url} within ${timeoutMs / 1000} s; stop it with \`${spec.stopCommand}\`. Log tail (${log}):\n${logTail(log)}`);
}

/**
 * Stops the server of our pid file: SIGTERM to its process group (a start script and the server it runs),
 * then SIGKILL after `graceMs`.
 * @param graceMs how long to wait after SIGTERM, ms (default 5000)
 */
export async function stopDaemon(spec: DaemonSpec, graceMs = 5000): Promise<{ stopped: boolean; pid: number | null; killed: boolean }> {
  const { pid: pidFile } = daemonPaths(spec);
  const pid = livePid(spec);
  if (pid === null) {
    rmSync(pidFile, { force: true });
    return { stopped: false, pid: null, killed: false };
  }
  signalGroup(pid, 'SIGTERM');
  let killed = false;
  if (!(await groupGone(pid, spec.cmdlineMark, graceMs))) {
    killed = true;
    signalGroup(pid, 'SIGKILL');
    await groupGone(pid, spec.cmdlineMark, 2000);
  }
  rmSync(pidFile, { force: true });
  return { stopped: true, pid, killed };
}

/** Signals the process group led by `pid` (we start servers detached, so pid = group id), else the process. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal);
      return;
    } catch {
      // no such group (a server that left it): try the process itself; gone already: nothing to do
    }
  }
}

/** Live members of process group `pgid` that are this server (a start script may exit before the server it ran). */
function groupMembers(pgid: number, mark: string): number[] {
  if (!existsSync('/proc')) return isOurs(pgid, mark) ? [pgid] : [];
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command name (which may hold spaces): state, ppid, pgrp.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z' && isOurs(Number(entry), mark)) members.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return members;
}

async function groupGone(pgid: number, mark: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (groupMembers(pgid, mark).length === 0) return true;
    await sleep(50);
  }
  return groupMembers(pgid, mark).length === 0;
}
