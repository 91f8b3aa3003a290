/** Child processes the harness starts, and the guarantee that they stop with it (signals, errors, exit). */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const live = new Set<ChildProcess>();
let hooked = false;
let signalsHooked = false;
const interruptHandlers: Array<(signal: NodeJS.Signals) => void | Promise<void>> = [];

/** Sends `signal` to the child's whole process group (each child leads its own group). */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function hookProcess(): void {
  if (hooked) return;
  hooked = true;
  // Last resort: a synchronous exit still takes the children down.
  process.on('exit', () => {
    for (const child of live) signalGroup(child, 'SIGKILL');
  });
}

/**
 * Makes SIGINT and SIGTERM stop the harness cleanly: interrupt handlers run (partial results), every child
 * stops, then the process exits 130/143. Called by the CLIs only: a library user keeps its own signals.
 */
export function handleSignals(): void {
  hookProcess();
  if (signalsHooked) return;
  signalsHooked = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      void (async () => {
        process.stderr.write(`\n${signal}: stopping ${live.size} child process(es)...\n`);
        for (const handler of interruptHandlers) {
          try {
            await handler(signal);
          } catch (err) {
            process.stderr.write(`while stopping: ${String(err)}\n`);
          }
        }
        await stopAll();
        process.exit(signal === 'SIGINT' ? 130 : 143);
      })();
    });
  }
}

/** Runs `handler` (for example, to keep partial results) when SIGINT or SIGTERM arrives, before children stop. */
export function onInterrupt(handler: (signal: NodeJS.Signals) => void | Promise<void>): () => void {
  hookProcess();
  interruptHandlers.push(handler);
  return () => {
    const index = interruptHandlers.indexOf(handler);
    if (index >= 0) interruptHandlers.splice(index, 1);
  };
}

/** Spawns a tracked child in its own process group; it is stopped when the harness stops. */
export function spawnTracked(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  hookProcess();
  const child = spawn(command, args, { ...options, detached: true });
  live.add(child);
  child.on('exit', () => live.delete(child));
  child.on('error', () => live.delete(child));
  return child;
}

/** Resolves when the child has exited (immediately if it already has). */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
}

/**
 * Stops a child: SIGTERM to its group, SIGKILL after `graceMs`.
 * @param graceMs time allowed for a clean exit (default 3000)
 */
export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  const done = exited(child);
  signalGroup(child, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
  await done;
  clearTimeout(timer);
}

/** Stops every tracked child. */
export async function stopAll(graceMs = 3000): Promise<void> {
  await Promise.all([...live].map((child) => stopChild(child, graceMs)));
}
