import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { withBusyLoad } from './busy-load.ts';

/** CPU time of this process (every thread), ms, used while `work` runs. */
async function cpuMsDuring(work: () => Promise<unknown>): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

describe('withBusyLoad', () => {
  it('keeps a CPU busy while the work runs, and stops when it ends, also when it throws', async () => {
    expect(await cpuMsDuring(() => withBusyLoad(1, () => sleep(400)))).toBeGreaterThan(100);
    await expect(withBusyLoad(1, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await cpuMsDuring(() => sleep(300))).toBeLessThan(100);
  });

  it('stops by itself at its deadline', async () => {
    expect(await cpuMsDuring(() => withBusyLoad(1, () => sleep(600), 50))).toBeLessThan(300);
  });
});
