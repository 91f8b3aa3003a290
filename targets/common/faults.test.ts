import { describe, expect, it } from 'vitest';
import { anyFault, burnCpu, burnLoops, chance, createFaults, describeFaults, FAULTS_HELP, holdMemory, leakedMemoryKb, loopChecksum, NO_FAULTS, parseFaults } from './faults.ts';

describe('parseFaults', () => {
  it('defaults every knob to 0', () => {
    expect(parseFaults({})).toEqual(NO_FAULTS);
  });

  it('reads fractions and integers', () => {
    expect(
      parseFaults({
        TIDEMARK_FAULT_DELAY_MS: '0.25',
        TIDEMARK_FAULT_CPU_US: '50',
        TIDEMARK_FAULT_CPU_LOOPS: '2000',
        TIDEMARK_FAULT_MEM_KB: '16',
        TIDEMARK_FAULT_ERROR_RATE: '0.1',
        TIDEMARK_FAULT_DROP_RATE: '1',
      }),
    ).toEqual({ delayMs: 0.25, cpuUs: 50, cpuLoops: 2000, memKb: 16, errorRate: 0.1, dropRate: 1, memLeak: false });
  });

  it('reads the leak switch as 1/0 or true/false and refuses anything else', () => {
    expect(parseFaults({ TIDEMARK_FAULT_MEM_LEAK: '1' }).memLeak).toBe(true);
    expect(parseFaults({ TIDEMARK_FAULT_MEM_LEAK: 'true' }).memLeak).toBe(true);
    expect(parseFaults({ TIDEMARK_FAULT_MEM_LEAK: '0' }).memLeak).toBe(false);
    expect(() => parseFaults({ TIDEMARK_FAULT_MEM_LEAK: 'yes' })).toThrow('TIDEMARK_FAULT_MEM_LEAK');
    expect(describeFaults({ ...NO_FAULTS, memKb: 64, memLeak: true })).toBe('faults: memKb=64 memLeak=true');
  });

  it.each([
    ['TIDEMARK_FAULT_DELAY_MS', 'abc'],
    ['TIDEMARK_FAULT_DELAY_MS', '-1'],
    ['TIDEMARK_FAULT_CPU_US', '1.5'],
    ['TIDEMARK_FAULT_CPU_LOOPS', '2.5'],
    ['TIDEMARK_FAULT_CPU_LOOPS', '100000001'],
    ['TIDEMARK_FAULT_MEM_KB', 'Infinity'],
    ['TIDEMARK_FAULT_ERROR_RATE', '1.5'],
    ['TIDEMARK_FAULT_DROP_RATE', '50%'],
  ])('rejects %s=%s naming the variable', (name, value) => {
    expect(() => parseFaults({ [name]: value })).toThrow(name);
  });

  it('describes active knobs in one line', () => {
    expect(describeFaults(NO_FAULTS)).toBe('faults: none');
    expect(describeFaults({ ...NO_FAULTS, dropRate: 0.2 })).toBe('faults: dropRate=0.2');
  });

  it('the --help text (FAULTS_HELP, shared by the four targets) names every knob, the leak switch too', () => {
    for (const knob of ['TIDEMARK_FAULT_DELAY_MS', '_CPU_US', '_CPU_LOOPS', '_MEM_KB', '_ERROR_RATE', '_DROP_RATE', 'TIDEMARK_FAULT_MEM_LEAK']) expect(FAULTS_HELP).toContain(knob);
    expect(FAULTS_HELP).toMatch(/MEM_LEAK.*1 = the _MEM_KB ballast outlives\s+its connection.*capped at 1 GiB/s);
    expect(FAULTS_HELP).toMatch(/_CPU_LOOPS\s+is work in loop iterations per operation, not time/);
    expect(Object.keys(NO_FAULTS)).toHaveLength(7); // a new knob must be added to FAULTS_HELP (and this list)
  });
});

describe('helpers', () => {
  it('burnCpu uses at least the asked CPU time, however loaded the machine is', () => {
    const cpuBefore = process.cpuUsage();
    burnCpu(3000);
    const cpu = process.cpuUsage(cpuBefore);
    expect(cpu.user + cpu.system).toBeGreaterThanOrEqual(3000);
  });

  it('burnLoops does its iterations of work whatever the time it takes, and none for 0', () => {
    const before = loopChecksum();
    burnLoops(0);
    expect(loopChecksum()).toBe(before);
    burnLoops(1000);
    const after1000 = loopChecksum();
    // The result of the loop is kept (V8 cannot drop it): it is the same arithmetic as here.
    let x = before;
    for (let i = 0; i < 1000; i++) x = (x * 31 + i) | 0;
    expect(after1000).toBe(x);
  });

  it('burn() applies both CPU knobs: CPU time and loop iterations', () => {
    const f = createFaults({ ...NO_FAULTS, cpuUs: 500, cpuLoops: 10_000 });
    const before = loopChecksum();
    const cpuBefore = process.cpuUsage();
    f.burn();
    const cpu = process.cpuUsage(cpuBefore);
    expect(cpu.user + cpu.system).toBeGreaterThanOrEqual(500);
    expect(loopChecksum()).not.toBe(before);
    expect(anyFault({ ...NO_FAULTS, cpuLoops: 1 })).toBe(true);
    expect(describeFaults({ ...NO_FAULTS, cpuLoops: 300 })).toBe('faults: cpuLoops=300');
  });

  it('holdMemory returns a filled buffer of the asked size, none for 0', () => {
    const b = holdMemory(8);
    expect(b?.length).toBe(8192);
    expect(b?.every((x) => x === 0xa5)).toBe(true);
    expect(holdMemory(0)).toBeUndefined();
  });

  it('holdMemory with leak keeps the ballast after its owner lets go', () => {
    const before = leakedMemoryKb();
    holdMemory(4, false);
    expect(leakedMemoryKb()).toBe(before);
    holdMemory(4, true);
    holdMemory(4, true);
    expect(leakedMemoryKb()).toBe(before + 8);
  });

  it('chance honours 0, 1 and the random source', () => {
    expect(chance(0, () => 0)).toBe(false);
    expect(chance(1, () => 0.99)).toBe(true);
    expect(chance(0.3, () => 0.29)).toBe(true);
    expect(chance(0.3, () => 0.3)).toBe(false);
  });

  it('createFaults binds the config', () => {
    const f = createFaults({ ...NO_FAULTS, errorRate: 0.5, dropRate: 0.5 }, () => 0.4);
    expect(f.shouldFail()).toBe(true);
    expect(f.shouldDrop()).toBe(true);
    expect(createFaults(NO_FAULTS).shouldDrop()).toBe(false);
  });
});
