/** CPU plans, TIDEMARK_PIN, the taskset command line, and how an unmet request degrades. */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { defaultCpuPlan, formatCpuList, hasTaskset, parseCpuList, pinnedCommand, pinRequestFromEnv, resolvePinning } from './cpu-pinning.ts';
import { readComm, readCpusAllowed } from './proc-stats.ts';

describe('CPU lists', () => {
  it('parses and formats taskset lists', () => {
    expect(parseCpuList('0-1')).toEqual([0, 1]);
    expect(parseCpuList('0-2,5,7-8')).toEqual([0, 1, 2, 5, 7, 8]);
    expect(formatCpuList([0, 1, 2, 5, 7, 8])).toBe('0-2,5,7-8');
    expect(formatCpuList([1])).toBe('1');
    for (const bad of ['', 'a', '2-1', '1,,2']) expect(parseCpuList(bad)).toBeNull();
  });
});

describe('defaultCpuPlan', () => {
  it('2 CPUs: k6 on 0, target on 1; odd counts give k6 the larger half; one CPU gives no plan', () => {
    expect(defaultCpuPlan([0, 1])).toEqual({ k6: '0', target: '1' });
    expect(defaultCpuPlan([0, 1, 2])).toEqual({ k6: '0-1', target: '2' });
    expect(defaultCpuPlan([2, 3, 4, 5])).toEqual({ k6: '2-3', target: '4-5' });
    expect(defaultCpuPlan([0])).toBeNull();
  });
});

describe('pinRequestFromEnv', () => {
  it('reads off, on and an explicit plan, and names a bad value', () => {
    expect(pinRequestFromEnv({})).toBe(false);
    expect(pinRequestFromEnv({ TIDEMARK_PIN: '0' })).toBe(false);
    expect(pinRequestFromEnv({ TIDEMARK_PIN: '1' })).toBe(true);
    expect(pinRequestFromEnv({ TIDEMARK_PIN: 'target=1;k6=0' })).toEqual({ target: '1', k6: '0' });
    expect(pinRequestFromEnv({ TIDEMARK_PIN: 'k6=0-1 target=2,3' })).toEqual({ target: '2,3', k6: '0-1' });
    expect(() => pinRequestFromEnv({ TIDEMARK_PIN: 'yes' })).toThrow('TIDEMARK_PIN=yes: expected 1, 0 or a plan');
    expect(() => pinRequestFromEnv({ TIDEMARK_PIN: 'target=1' })).toThrow('TIDEMARK_PIN=target=1');
  });
});

describe('resolvePinning', () => {
  const yes = (): boolean => true;
  it('off stays off without a note; on gives the default plan', () => {
    expect(resolvePinning(false, [0, 1], yes)).toEqual({ plan: null, note: null });
    expect(resolvePinning(true, [0, 1], yes)).toEqual({ plan: { k6: '0', target: '1' }, note: null });
  });

  it('degrades to unpinned with a note: no taskset, one CPU, a CPU outside the allowed ones', () => {
    expect(resolvePinning(true, [0, 1], () => false).note).toMatch(/`taskset` \(util-linux\) was not found/);
    expect(resolvePinning(true, [0], yes)).toMatchObject({ plan: null, note: expect.stringMatching(/only 1 CPU is available/) });
    const outside = resolvePinning({ target: '3', k6: '0' }, [0, 1], yes);
    expect(outside.plan).toBeNull();
    expect(outside.note).toMatch(/CPU 3 is outside the CPUs allowed here \(0-1\)/);
  });
});

describe('pinnedCommand', () => {
  it('prefixes taskset -c <cpus>, or leaves the command alone', () => {
    expect(pinnedCommand('1', '/usr/bin/node', ['a.mjs', '--port', '1'])).toEqual({ command: 'taskset', args: ['-c', '1', '/usr/bin/node', 'a.mjs', '--port', '1'] });
    expect(pinnedCommand(null, 'k6', ['run'])).toEqual({ command: 'k6', args: ['run'] });
  });

  it.skipIf(!hasTaskset())('taskset execs: the child pid is the command itself, on the CPUs asked for', async () => {
    const cmd = pinnedCommand('0', process.execPath, ['-e', 'setTimeout(() => {}, 5000)']);
    const child = spawn(cmd.command, cmd.args, { stdio: 'ignore' });
    try {
      // Bounded wait for the exec to happen (microseconds, normally).
      let comm: string | null = null;
      for (let i = 0; i < 50 && comm !== 'node'; i++) {
        await new Promise((r) => setTimeout(r, 20));
        comm = await readComm(child.pid ?? -1);
      }
      expect(comm).toBe('node');
      expect(await readCpusAllowed(child.pid ?? -1)).toBe('0');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
