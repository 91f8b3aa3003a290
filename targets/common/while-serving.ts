/** The well-behaved client during an attack: runs probes while the attack lasts and counts what was served. */
import { sleep } from './abuse-basics.ts';

/** Options of {@link whileServing}. */
export interface WhileServingOptions {
  /** Probes running side by side. Default `1`. */
  concurrency?: number;
  /** Pause between two probes of one lane, ms. Default `20`. */
  intervalMs?: number;
  /** Most probes in all (the loop stops there even if the attack goes on). Default `2000`. */
  maxProbes?: number;
  /** Probes to complete even when the attack ends sooner (run after it). Default `3`. */
  minProbes?: number;
  /** A probe not settled after this many ms fails (and its signal is aborted). Default `5000`. */
  probeTimeoutMs?: number;
  /** The whole call gives up after this many ms (probes stop; the attack is awaited). Default `60000`. */
  timeoutMs?: number;
}

/** What {@link whileServing} saw. */
export interface ServingReport<T> {
  /** The attack's own result. */
  attack: T;
  /** Probes run (settled). */
  probes: number;
  /** Probes that resolved. */
  ok: number;
  /** Probes that threw or timed out. */
  failed: number;
  /** Probes that started while the attack was still running (the ones that prove anything). */
  duringAttack: number;
  /** The first failure messages (at most 10), with the probe index. */
  failures: string[];
  /** Elapsed time, ms. */
  elapsedMs: number;
}

/**
 * Runs `attack` and, at the same time, a loop of `probe` calls: a well-behaved client that
 * must be served correctly throughout. A probe succeeds by resolving and fails by throwing
 * (check content inside it, not only the status). Probing starts before the attack and
 * goes on until it settles (then `minProbes` at least), bounded by `maxProbes` and
 * `timeoutMs`. If the attack throws, that error is thrown after the probes stopped.
 * @param probe gets its index and an AbortSignal aborted on its timeout (close sockets on it)
 */
export async function whileServing<T>(attack: () => Promise<T>, probe: (i: number, signal: AbortSignal) => Promise<void>, options: WhileServingOptions = {}): Promise<ServingReport<T>> {
  const { concurrency = 1, intervalMs = 20, maxProbes = 2000, minProbes = 3, probeTimeoutMs = 5000, timeoutMs = 60_000 } = options;
  const started = performance.now();
  let attackDone = false;
  let next = 0;
  let ok = 0;
  let failed = 0;
  let duringAttack = 0;
  const failures: string[] = [];

  const runProbe = async (i: number): Promise<void> => {
    const ctl = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        ctl.abort();
        reject(new Error(`probe timed out after ${probeTimeoutMs} ms`));
      }, probeTimeoutMs);
    });
    try {
      await Promise.race([probe(i, ctl.signal), timeout]);
      ok++;
    } catch (err) {
      failed++;
      if (failures.length < 10) failures.push(`probe ${i}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      clearTimeout(timer);
    }
  };
  const lane = async (): Promise<void> => {
    while (next < maxProbes && performance.now() - started < timeoutMs && (!attackDone || next < minProbes)) {
      const i = next++;
      if (!attackDone) duringAttack++;
      await runProbe(i);
      if (intervalMs > 0) await sleep(intervalMs);
    }
  };

  const lanes = Array.from({ length: Math.max(1, concurrency) }, lane);
  let attackResult: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    attackResult = { ok: true, value: await attack() };
  } catch (error) {
    attackResult = { ok: false, error };
  }
  attackDone = true;
  await Promise.all(lanes);
  if (!attackResult.ok) throw attackResult.error;
  return { attack: attackResult.value, probes: ok + failed, ok, failed, duringAttack, failures, elapsedMs: performance.now() - started };
}
