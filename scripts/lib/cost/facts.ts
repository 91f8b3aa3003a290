/**
 * What an instruction count depends on besides the code measured: the Node (V8) build, the CPU architecture,
 * valgrind, the clock freezer, the CPU features V8 and glibc pick their code paths by, how the target is bundled,
 * and the probe's own flags and workload.
 * Two counts are comparable only when these are equal; machine load, clock speed and core count do not enter.
 */
import { readFileSync } from 'node:fs';
import { arch } from 'node:os';
import { BUNDLE_LAYOUT } from '../target-bundle.ts';

export interface CostFacts {
  /** `process.version` of the node that runs the targets. */
  node: string;
  /** `process.arch`, e.g. `x64`. */
  arch: string;
  /** `valgrind --version`, e.g. `valgrind-3.19.0`. */
  valgrind: string;
  /** What freezes the target's clocks (frozen-clock.ts), e.g. `libfaketime 0.9.10-2.1`: its intercepts are counted too. */
  clock: string;
  /** The CPU features of {@link RELEVANT_CPU_FLAGS} this machine has, sorted (/proc/cpuinfo names). */
  cpuFeatures: string[];
  /** Node and V8 flags of the probe (valgrind-run.ts). */
  nodeFlags: string[];
  /** The workload's version: changes whenever a driver sends other requests. */
  workload: string;
  /** How the target is bundled (`BUNDLE_LAYOUT`, target-bundle.ts): the layout moved jsonrpc's count by 22%. */
  bundle: string;
}

/**
 * /proc/cpuinfo flags that change which instructions run:
 * - V8 (src/codegen/x64 CpuFeatures): sse3 (`pni`), ssse3, sse4_1, sse4_2, sahf (`lahf_lm`), avx, avx2, fma,
 *   f16c, bmi1, bmi2, lzcnt (`abm`), popcnt; it emits them in generated code and builtins when present.
 * - glibc picks memcpy, strlen and friends by avx2, erms, fsrm, movbe and the AVX-512 ones.
 * - valgrind: its synthetic CPUID (what the guest sees) depends on the host having avx, avx2, bmi, fma...;
 *   valgrind 3.19 hides AVX-512 from the guest, but a host with or without it is still a different machine.
 */
export const RELEVANT_CPU_FLAGS = [
  'pni', 'ssse3', 'sse4_1', 'sse4_2', 'lahf_lm', 'popcnt', 'abm', 'avx', 'avx2', 'fma', 'f16c', 'bmi1', 'bmi2',
  'movbe', 'erms', 'fsrm', 'avx512f', 'avx512bw', 'avx512vl',
] as const;

/** The relevant flags of the first processor in a /proc/cpuinfo text, sorted. */
export function cpuFeaturesFromCpuinfo(cpuinfo: string): string[] {
  const line = cpuinfo.split('\n').find((l) => /^(flags|Features)\s*:/.test(l));
  const flags = new Set((line?.slice(line.indexOf(':') + 1) ?? '').trim().split(/\s+/));
  return RELEVANT_CPU_FLAGS.filter((f) => flags.has(f)).sort();
}

/** This machine's CPU features from /proc/cpuinfo (empty where there is none, e.g. not Linux). */
export function cpuFeatures(): string[] {
  try {
    return cpuFeaturesFromCpuinfo(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return [];
  }
}

/** The facts of this machine for a probe with these flags and workload. */
export function costFacts(valgrind: string, clock: string, nodeFlags: readonly string[], workload: string): CostFacts {
  return { node: process.version, arch: arch(), valgrind, clock, cpuFeatures: cpuFeatures(), nodeFlags: [...nodeFlags], workload, bundle: BUNDLE_LAYOUT };
}

/** What to say about one differing fact. */
function describe(name: keyof CostFacts, reference: CostFacts, current: CostFacts): string {
  if (name === 'cpuFeatures') {
    const missing = reference.cpuFeatures.filter((f) => !current.cpuFeatures.includes(f));
    const extra = current.cpuFeatures.filter((f) => !reference.cpuFeatures.includes(f));
    const parts = [missing.length > 0 ? `lacks ${missing.join(' ')}` : '', extra.length > 0 ? `also has ${extra.join(' ')}` : ''].filter(Boolean);
    return `CPU features: this machine ${parts.join(' and ')} compared with the baseline's`;
  }
  // A baseline written before a fact existed has none: `nothing recorded`.
  const show = (f: CostFacts): string => (Array.isArray(f[name]) ? (f[name] as string[]).join(' ') : String(f[name] ?? 'nothing recorded'));
  return `${name}: the baseline has ${show(reference)}, this machine ${show(current)}`;
}

/** The facts that differ, one sentence each (empty when the counts are comparable). */
export function factDifferences(reference: CostFacts, current: CostFacts): string[] {
  const names: Array<keyof CostFacts> = ['node', 'arch', 'valgrind', 'clock', 'cpuFeatures', 'nodeFlags', 'workload', 'bundle'];
  return names
    .filter((name) => JSON.stringify(reference[name] ?? null) !== JSON.stringify(current[name] ?? null))
    .map((name) => describe(name, reference, current));
}
