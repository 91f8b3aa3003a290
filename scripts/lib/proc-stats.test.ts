/** Parsing of /proc text on fixtures, and the per-thread totals on this process's own /proc entry. */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { parseCpusAllowed, parseRssKB, parseSchedstat, parseStatCpuMs, procReader, ThreadSchedstats } from './proc-stats.ts';

/** Excerpt of a real /proc/<pid>/status (Linux 6.x). */
const STATUS = `Name:\tnode
Umask:\t0022
State:\tS (sleeping)
VmPeak:\t 1236780 kB
VmRSS:\t   58212 kB
RssAnon:\t   30516 kB
Threads:\t11
Cpus_allowed:\t2
Cpus_allowed_list:\t1
Mems_allowed_list:\t0
`;

describe('parseSchedstat', () => {
  it('reads CPU ns, run-queue wait ns and timeslices', () => {
    expect(parseSchedstat('1393889 14397 2\n')).toEqual({ cpuNs: 1_393_889, waitNs: 14_397, slices: 2 });
    expect(parseSchedstat('8123456789012 98765 40123')).toEqual({ cpuNs: 8_123_456_789_012, waitNs: 98_765, slices: 40_123 });
  });

  it.each(['', '12 34', 'a b c', '1 -2 3'])('refuses %j', (text) => {
    expect(parseSchedstat(text)).toBeNull();
  });
});

describe('parseStatCpuMs', () => {
  it('reads utime + stime in 10 ms ticks, counting fields after the last ) of the command name', () => {
    // A real /proc/<pid>/stat line, with a command name holding a space and a parenthesis.
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194304 5310 0 0 0 123 45 0 0 20 0 11 0 123456 1236780000 14553 18446744073709551615 1 1 0 0 0 0 0 16781312 17922 0 0 0 17 1 0 0 0 0 0';
    expect(parseStatCpuMs(stat)).toBe((123 + 45) * 10);
    expect(parseStatCpuMs('garbage')).toBeNull();
  });
});

describe('status fields', () => {
  it('reads VmRSS in KB and the allowed CPU list', () => {
    expect(parseRssKB(STATUS)).toBe(58_212);
    expect(parseCpusAllowed(STATUS)).toBe('1');
  });

  it('gives null where a field is missing (a zombie has no VmRSS)', () => {
    expect(parseRssKB('Name:\tk6\nState:\tZ (zombie)\n')).toBeNull();
    expect(parseCpusAllowed('Name:\tk6\n')).toBeNull();
  });
});

describe('ThreadSchedstats on this process', () => {
  it('sums every thread, never goes backwards, and reports a gone process as null', async () => {
    const threads = new ThreadSchedstats(process.pid);
    const first = await threads.read();
    const usage = process.cpuUsage();
    let x = 0;
    // Burn 60 ms of CPU time (not wall time: the machine may be busy), as getrusage counts it.
    for (let i = 0; i < 1e9; i++) {
      x += Math.sqrt(x + 1);
      if (i % 10_000 === 0 && process.cpuUsage(usage).user + process.cpuUsage(usage).system >= 60_000) break;
    }
    const burnedMs = (process.cpuUsage(usage).user + process.cpuUsage(usage).system) / 1000;
    const second = await threads.read();
    expect(first).not.toBeNull();
    expect(x).toBeGreaterThan(0);
    // schedstat agrees with getrusage within a few ms (other threads of this process may add a little).
    const deltaMs = ((second?.cpuNs ?? 0) - (first?.cpuNs ?? 0)) / 1e6;
    expect(deltaMs).toBeGreaterThan(burnedMs - 5);
    expect(deltaMs).toBeLessThan(burnedMs + 30);
    expect(second?.waitNs ?? -1).toBeGreaterThanOrEqual(first?.waitNs ?? 0);
    // pid 2^22 + 1 is above Linux's pid_max limit: never a live process.
    expect(await new ThreadSchedstats(4_194_305).read()).toBeNull();
  });

  it('keeps the CPU time of a thread that has exited', async () => {
    const threads = new ThreadSchedstats(process.pid);
    const before = await threads.read();
    // A worker thread burns 80 ms of its own CPU (its own schedstat: process.cpuUsage() is the whole process's),
    // is read while alive, then terminated and read again. It stays alive until terminated: a worker whose event
    // loop is empty exits by itself, and in a CI trial under load it was gone before the read meant to see it.
    const burn = `const fs = require('node:fs');
      const own = () => Number(fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
      const t = own(); let x = 0;
      for (let i = 0; own() - t < 80e6; i++) for (let j = 0; j < 10000; j++) x += Math.sqrt(x + j);
      require('node:worker_threads').parentPort.postMessage(x);
      setInterval(() => {}, 60000); // alive until terminated: read while it runs, then after it exited`;
    const worker = new Worker(burn, { eval: true });
    await new Promise((resolve) => worker.once('message', resolve));
    const alive = await threads.read();
    await worker.terminate();
    const after = await threads.read();
    expect((alive?.cpuNs ?? 0) - (before?.cpuNs ?? 0)).toBeGreaterThan(70e6);
    expect(after?.cpuNs ?? 0).toBeGreaterThanOrEqual(alive?.cpuNs ?? Infinity);
  });

  it('ticks and schedstat count the same CPU time, ticks in 10 ms steps', async () => {
    const reader = procReader(process.pid);
    const first = await reader.read();
    const usage = process.cpuUsage();
    let x = 0;
    for (let i = 0; i < 1e9 && process.cpuUsage(usage).user < 200_000; i++) x += Math.sqrt(x + i);
    const second = await reader.read();
    expect(x).toBeGreaterThan(0);
    const sched = (second?.cpuMs ?? 0) - (first?.cpuMs ?? 0);
    const ticks = (second?.tickCpuMs ?? 0) - (first?.tickCpuMs ?? 0);
    expect(sched).toBeGreaterThan(190);
    expect(Math.abs(ticks - sched)).toBeLessThan(30); // two 10 ms roundings, plus what other threads ran
  });

  it('procReader gives CPU and wait in ms and RSS in KB', async () => {
    const snap = await procReader(process.pid).read();
    expect(snap?.cpuMs).toBeGreaterThan(0);
    expect(snap?.tickCpuMs).toBeGreaterThan(0);
    expect(snap?.rssKB).toBeGreaterThan(1000);
    expect(await procReader(4_194_305).read()).toBeNull();
  });
});
