/**
 * Waits until a target process is idle: its main thread asleep in epoll_wait, so every request it received has
 * been handled to the end (responses written, microtasks, immediates and close callbacks run).
 *
 * Why: a Node process measures its event loop's idle time, and to do so libuv polls twice when nothing is
 * ready: once with timeout 0, then blocking. When the next request is already there at the first poll, one
 * poll; when it is not, two. Under valgrind the target runs 20-50x slower than the driver, so which one happens
 * is a race, and it moved the broker's count by up to 1.5 M instructions per 8000 frames. Sending each request
 * only once the target sleeps in epoll makes it two polls every time.
 * How: `/proc/<pid>/wchan` names the kernel function the main thread sleeps in (`do_epoll_wait`); a poll with
 * timeout 0 never sleeps, so it never shows.
 */
import { readFileSync } from 'node:fs';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';

/** How long a target may stay busy before a request, ms: well above any one request under valgrind. */
export const IDLE_TIMEOUT_MS = 60_000;

/** Checks on the next turns of the driver's loop before sleeping 1 ms between checks (the target is usually idle within a few). */
const QUICK_CHECKS = 200;

function sleepsInEpoll(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/wchan`, 'utf8').includes('epoll');
  } catch {
    return false;
  }
}

/**
 * Resolves once process `pid`'s main thread sleeps in epoll_wait.
 * @throws after {@link IDLE_TIMEOUT_MS}
 */
export async function waitUntilIdle(pid: number, timeoutMs = IDLE_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let check = 0; !sleepsInEpoll(pid); check++) {
    if (Date.now() > deadline) throw new Error(`the target (pid ${pid}) was still busy after ${timeoutMs} ms (not asleep in epoll_wait)`);
    if (check < QUICK_CHECKS) await nextTurn();
    else await sleep(1);
  }
}

/**
 * The wait for `pid`, or, where the kernel does not show what a process sleeps in (no /proc, hidden symbols),
 * a wait that returns at once, with a warning: counts are then a little noisier.
 * @param log where the warning goes
 */
export async function idleWaiter(pid: number, log: (line: string) => void): Promise<() => Promise<void>> {
  try {
    // Just started and listening: it goes idle within moments.
    await waitUntilIdle(pid, 20_000);
    return () => waitUntilIdle(pid);
  } catch {
    log(`  warning: cannot see when the target is idle (/proc/${pid}/wchan never shows epoll): requests go out without waiting, counts are a little noisier`);
    return () => Promise.resolve();
  }
}
