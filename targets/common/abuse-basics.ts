/** Rules every abuse helper shares: loopback only, and a bounded sleep. */
import { isIP } from 'node:net';

/** Default host of every helper. */
export const LOOPBACK = '127.0.0.1';

/** Throws unless `host` is a loopback address (the project's rule: load only to loopback). */
export function assertLoopback(host: string): void {
  const ok = host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
  if (!ok) throw new Error(`abuse helpers only target loopback addresses; got ${JSON.stringify(host)} (use 127.0.0.1)`);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
