import { describe, expect, it } from 'vitest';
import { BUNDLE_LAYOUT } from '../target-bundle.ts';
import { costFacts, cpuFeaturesFromCpuinfo, factDifferences, type CostFacts } from './facts.ts';

const FACTS: CostFacts = {
  node: 'v20.20.2',
  arch: 'x64',
  valgrind: 'valgrind-3.19.0',
  clock: 'libfaketime 0.9.10-2.1',
  cpuFeatures: ['avx', 'avx2', 'bmi1', 'bmi2', 'sse4_2'],
  nodeFlags: ['--single-threaded', '--predictable'],
  workload: 'sse/1',
  bundle: 'esbuild esm, npm packages inlined',
};

describe('cost facts', () => {
  it('keeps the CPU flags V8, glibc and valgrind choose code by, sorted, and drops the rest', () => {
    const cpuinfo = 'processor\t: 0\nflags\t\t: fpu vme sse4_2 avx2 hypervisor bmi2 avx lahf_lm abm avx512f rdrand\nprocessor\t: 1\n';
    expect(cpuFeaturesFromCpuinfo(cpuinfo)).toEqual(['abm', 'avx', 'avx2', 'avx512f', 'bmi2', 'lahf_lm', 'sse4_2']);
    expect(cpuFeaturesFromCpuinfo('no flags here')).toEqual([]);
  });

  it('records this node, its architecture, the clock freezer, the flags and the workload', () => {
    const facts = costFacts('valgrind-3.19.0', 'libfaketime 0.9.10-2.1', ['--predictable'], 'jsonrpc/1');
    expect(facts).toMatchObject({ node: process.version, arch: process.arch, valgrind: 'valgrind-3.19.0', clock: 'libfaketime 0.9.10-2.1', nodeFlags: ['--predictable'], workload: 'jsonrpc/1', bundle: BUNDLE_LAYOUT });
  });

  it('finds no difference between equal facts', () => {
    expect(factDifferences(FACTS, { ...FACTS, cpuFeatures: [...FACTS.cpuFeatures] })).toEqual([]);
  });

  it('names each differing fact with both values', () => {
    const diff = factDifferences(FACTS, { ...FACTS, node: 'v22.1.0', valgrind: 'valgrind-3.22.0', clock: 'none' });
    expect(diff).toEqual([
      'node: the baseline has v20.20.2, this machine v22.1.0',
      'valgrind: the baseline has valgrind-3.19.0, this machine valgrind-3.22.0',
      'clock: the baseline has libfaketime 0.9.10-2.1, this machine none',
    ]);
  });

  it('refuses a baseline from before the bundle was recorded, naming the bundle', () => {
    const { bundle: _older, ...withoutBundle } = FACTS;
    expect(factDifferences(withoutBundle as CostFacts, FACTS)).toEqual(['bundle: the baseline has nothing recorded, this machine esbuild esm, npm packages inlined']);
  });

  it('says which CPU features are missing or extra', () => {
    const [line] = factDifferences(FACTS, { ...FACTS, cpuFeatures: ['avx', 'bmi1', 'sse4_2', 'avx512f'] });
    expect(line).toBe('CPU features: this machine lacks avx2 bmi2 and also has avx512f compared with the baseline\'s');
  });

  it('tells other probe flags and workloads apart', () => {
    expect(factDifferences(FACTS, { ...FACTS, nodeFlags: ['--predictable'], workload: 'sse/2' })).toEqual([
      'nodeFlags: the baseline has --single-threaded --predictable, this machine --predictable',
      'workload: the baseline has sse/1, this machine sse/2',
    ]);
  });
});
