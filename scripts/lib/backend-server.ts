/** The real servers behind the broker target's backends, managed as one set: start, stop, status by name. */
import { BACKEND_SERVER_NAMES, startCommand, type BackendServerName } from '../../targets/broker/backend-servers.ts';
import { daemonPaths, daemonStatus, startDaemon, stopDaemon, type DaemonLaunch, type DaemonSpec, type DaemonStatus } from './daemon.ts';
import { mosquittoLaunch, mosquittoSpec } from './mosquitto-server.ts';
import { rabbitLaunch, rabbitNodePid, rabbitSpec, stopRabbitEpmd } from './rabbitmq-server.ts';

interface BackendDaemon {
  spec(env?: NodeJS.ProcessEnv): DaemonSpec;
  launch(env?: NodeJS.ProcessEnv): DaemonLaunch;
  /** The process doing the server's work, when it is not the one we started (a start script's child). */
  workerPid?(): number | null;
  /** Clean-up after the server stopped (helpers it left running). */
  afterStop?(env?: NodeJS.ProcessEnv): void;
}

const DAEMONS: Record<BackendServerName, BackendDaemon> = {
  rabbitmq: { spec: rabbitSpec, launch: rabbitLaunch, afterStop: stopRabbitEpmd, workerPid: rabbitNodePid },
  mosquitto: { spec: mosquittoSpec, launch: mosquittoLaunch },
};

/**
 * Reads a server name; `all` means every one.
 * @throws Error listing the names
 */
export function parseServerNames(raw: string): BackendServerName[] {
  if (raw === 'all') return [...BACKEND_SERVER_NAMES];
  if ((BACKEND_SERVER_NAMES as string[]).includes(raw)) return [raw as BackendServerName];
  throw new Error(`unknown server ${JSON.stringify(raw)}: expected ${BACKEND_SERVER_NAMES.join(', ')} or all`);
}

export function backendServerStatus(name: BackendServerName, env: NodeJS.ProcessEnv = process.env): Promise<DaemonStatus> {
  return daemonStatus(DAEMONS[name].spec(env));
}

/** Starts the server unless it answers already; waits until it does. */
export function startBackendServer(name: BackendServerName, env: NodeJS.ProcessEnv = process.env): Promise<DaemonStatus & { alreadyRunning: boolean }> {
  const d = DAEMONS[name];
  return startDaemon(d.spec(env), () => d.launch(env));
}

export async function stopBackendServer(name: BackendServerName, env: NodeJS.ProcessEnv = process.env): Promise<{ stopped: boolean; pid: number | null; killed: boolean }> {
  const d = DAEMONS[name];
  const r = await stopDaemon(d.spec(env), 10_000);
  d.afterStop?.(env);
  return r;
}

/** The server's log file. */
export function backendServerLog(name: BackendServerName, env: NodeJS.ProcessEnv = process.env): string {
  return daemonPaths(DAEMONS[name].spec(env)).log;
}

/**
 * Checks the server answers, and finds the process whose CPU and RSS are the server's (null when tidemark did
 * not start it: its figures are then not sampled).
 * @throws Error naming the command that starts it when it does not answer
 */
export async function requireBackendServer(name: BackendServerName, env: NodeJS.ProcessEnv = process.env): Promise<{ url: string; pid: number | null }> {
  const d = DAEMONS[name];
  const s = await daemonStatus(d.spec(env));
  if (!s.running) throw new Error(`${name} does not answer on ${s.url}: start it with \`${startCommand(name)}\``);
  return { url: s.url, pid: s.pid === null ? null : (d.workerPid?.() ?? s.pid) };
}
