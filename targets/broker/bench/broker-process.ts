/** Starts the broker target as its own process (as the harness does) for the over-WebSocket benchmarks. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface BrokerProcess {
  /** `http://127.0.0.1:PORT` */
  baseUrl: string;
  /** `ws://127.0.0.1:PORT/ws` */
  wsUrl: string;
  /** SIGTERM, then SIGKILL after 3 s; resolves once the process is gone. */
  stop(): Promise<void>;
}

/**
 * Spawns `node --import tsx targets/broker/index.ts --port 0` and waits for its ready line.
 * @param env extra environment (fault knobs, limits); default none
 * @param timeoutMs give up (and kill it) after this long; default 20000
 */
export function startBroker(env: Record<string, string> = {}, timeoutMs = 20_000): Promise<BrokerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'targets/broker/index.ts', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`broker not ready within ${timeoutMs} ms: ${err}`));
    }, timeoutMs);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m === null) return;
      clearTimeout(timer);
      resolve({ baseUrl: m[1]!, wsUrl: `${m[1]!.replace('http', 'ws')}/ws`, stop });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`broker exited (code ${code}) before it was ready: ${err}`));
    });
  });
}
