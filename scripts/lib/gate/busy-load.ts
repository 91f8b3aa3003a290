/**
 * Bounded CPU load from worker threads of this process: a machine made busier on purpose, so that the gate's
 * accuracy can be measured with baselines taken at another machine load than the runs they judge. Threads of this
 * process cannot outlive it, and each stops by itself at its deadline if nobody stops it.
 */
import { Worker } from 'node:worker_threads';

/** Most a burner runs when nobody stops it, ms: longer than any run it surrounds. */
export const BURN_DEADLINE_MS = 120_000;

// A busy loop that checks a shared stop flag (and its deadline) every 1,000 iterations of cheap arithmetic.
const BURNER = `
const { workerData } = require('node:worker_threads');
const stop = new Int32Array(workerData.stop);
const end = Date.now() + workerData.deadlineMs;
let x = 0;
while (Atomics.load(stop, 0) === 0 && Date.now() < end) for (let i = 0; i < 1000; i++) x = (x * 31 + i) % 1000003;
`;

/** Runs `work` while `threads` threads each keep one CPU busy; the threads are stopped however `work` ends. */
export async function withBusyLoad<T>(threads: number, work: () => Promise<T>, deadlineMs = BURN_DEADLINE_MS): Promise<T> {
  const stop = new SharedArrayBuffer(4);
  const workers = Array.from({ length: threads }, () => new Worker(BURNER, { eval: true, workerData: { stop, deadlineMs } }));
  try {
    return await work();
  } finally {
    Atomics.store(new Int32Array(stop), 0, 1);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
