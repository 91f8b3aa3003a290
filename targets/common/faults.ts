/**
 * Fault knobs shared by every target (see BLUEPRINT "Reference targets").
 *
 * They are read from the environment once, validated (a bad value throws an error
 * naming the variable), and exposed as small helpers so each target applies them
 * per operation in the same way. With every knob at its default (0) each helper
 * is a cheap no-op, so the fast path pays nothing.
 */

/** The parsed fault knobs. Every field defaults to 0 (no fault). */
export interface FaultConfig {
  /** `TIDEMARK_FAULT_DELAY_MS`: added latency per operation in ms, fractions allowed. Default 0. */
  delayMs: number;
  /** `TIDEMARK_FAULT_CPU_US`: busy CPU work per operation in µs. Default 0. */
  cpuUs: number;
  /**
   * `TIDEMARK_FAULT_CPU_LOOPS`: loop iterations of real work per operation, counted in work, not time: the same
   * share of the operation's instructions under valgrind (the cost probe) as in CPU time. Default 0.
   */
  cpuLoops: number;
  /** `TIDEMARK_FAULT_MEM_KB`: memory held (resident) per connection or session in KiB. Default 0. */
  memKb: number;
  /** `TIDEMARK_FAULT_ERROR_RATE`: share of operations answered with an error, 0..1. Default 0. */
  errorRate: number;
  /** `TIDEMARK_FAULT_DROP_RATE`: share of events/messages silently dropped, 0..1. Default 0. */
  dropRate: number;
  /**
   * `TIDEMARK_FAULT_MEM_LEAK=1`: the `memKb` ballast outlives its connection or session (a leak), so a soak run
   * with connection churn shows a rising RSS slope. Default false (the ballast is freed with its connection).
   */
  memLeak: boolean;
}

export const NO_FAULTS: Readonly<FaultConfig> = Object.freeze({
  delayMs: 0,
  cpuUs: 0,
  cpuLoops: 0,
  memKb: 0,
  errorRate: 0,
  dropRate: 0,
  memLeak: false,
});

/**
 * The fault knobs as every target's `--help` lists them (two lines; the first without indent, the
 * second indented to follow the targets' "Environment" paragraph). One text, so no target's help
 * misses a knob.
 */
export const FAULTS_HELP = `faults: TIDEMARK_FAULT_DELAY_MS, _CPU_US, _CPU_LOOPS, _MEM_KB, _ERROR_RATE, _DROP_RATE (all 0; _CPU_LOOPS
    is work in loop iterations per operation, not time), TIDEMARK_FAULT_MEM_LEAK (0; 1 = the _MEM_KB ballast outlives
    its connection or session, a leak capped at 1 GiB).`;

/** Upper bounds: large enough for any experiment, small enough to catch typos (ms vs µs). */
const LIMITS = {
  TIDEMARK_FAULT_DELAY_MS: 60_000,
  TIDEMARK_FAULT_CPU_US: 1_000_000,
  TIDEMARK_FAULT_CPU_LOOPS: 100_000_000,
  TIDEMARK_FAULT_MEM_KB: 1_048_576,
  TIDEMARK_FAULT_ERROR_RATE: 1,
  TIDEMARK_FAULT_DROP_RATE: 1,
} as const;

type FaultVariable = keyof typeof LIMITS;

/** Parses one knob: empty or unset means 0; anything else must be a finite number in range. */
function readKnob(env: NodeJS.ProcessEnv, name: FaultVariable, integer: boolean): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return 0;
  const value = Number(raw);
  const max = LIMITS[name];
  if (!Number.isFinite(value) || value < 0 || value > max || (integer && !Number.isInteger(value))) {
    const kind = integer ? 'an integer' : 'a number';
    throw new Error(`${name}=${JSON.stringify(raw)} is invalid: expected ${kind} from 0 to ${max}. Unset it to disable the fault.`);
  }
  return value;
}

/** Parses the leak switch: unset, empty, 0 or false is off; 1 or true is on; anything else is an error. */
function readSwitch(env: NodeJS.ProcessEnv, name: 'TIDEMARK_FAULT_MEM_LEAK'): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new Error(`${name}=${JSON.stringify(env[name])} is invalid: expected 1 or 0. Unset it to disable the fault.`);
}

/** Reads and validates the fault knobs from `env` (default `process.env`). Throws naming the bad variable. */
export function parseFaults(env: NodeJS.ProcessEnv = process.env): FaultConfig {
  return {
    delayMs: readKnob(env, 'TIDEMARK_FAULT_DELAY_MS', false),
    cpuUs: readKnob(env, 'TIDEMARK_FAULT_CPU_US', true),
    cpuLoops: readKnob(env, 'TIDEMARK_FAULT_CPU_LOOPS', true),
    memKb: readKnob(env, 'TIDEMARK_FAULT_MEM_KB', true),
    errorRate: readKnob(env, 'TIDEMARK_FAULT_ERROR_RATE', false),
    dropRate: readKnob(env, 'TIDEMARK_FAULT_DROP_RATE', false),
    memLeak: readSwitch(env, 'TIDEMARK_FAULT_MEM_LEAK'),
  };
}

let fromEnv: FaultConfig | undefined;

/** The process's fault knobs, read from `process.env` on first call and cached ("read once at start"). */
export function faultsFromEnv(): FaultConfig {
  fromEnv ??= Object.freeze(parseFaults(process.env));
  return fromEnv;
}

/** True when any knob is set: targets log it at start so a faulty run is never mistaken for a clean one. */
export function anyFault(config: FaultConfig): boolean {
  // memLeak alone does nothing: it changes how long the memKb ballast lives.
  return config.delayMs > 0 || config.cpuUs > 0 || config.cpuLoops > 0 || config.memKb > 0 || config.errorRate > 0 || config.dropRate > 0;
}

/** One line describing the active knobs, e.g. `faults: delayMs=0.5 dropRate=0.1`. */
export function describeFaults(config: FaultConfig): string {
  const parts = Object.entries(config)
    .filter(([, v]) => v !== 0 && v !== false)
    .map(([k, v]) => `${k}=${String(v)}`);
  return parts.length === 0 ? 'faults: none' : `faults: ${parts.join(' ')}`;
}

/**
 * Busy-works until this process has used `us` more microseconds of CPU time. It blocks the event loop on
 * purpose: the fault models CPU work done per operation, which must show up as CPU time and as lost
 * throughput, not as idle waiting. CPU time, not wall time, is the budget: on a loaded machine a wall-clock
 * spin would be descheduled part of the time and inject less work than asked.
 */
export function burnCpu(us: number): void {
  if (us <= 0) return;
  const start = process.cpuUsage();
  const deadline = process.hrtime.bigint() + BigInt(Math.round(us * 1000 * 50));
  for (;;) {
    const used = process.cpuUsage(start);
    if (used.user + used.system >= us) return;
    // A starved process could take very long to accumulate the CPU: give up after 50x the wall time.
    if (process.hrtime.bigint() > deadline) return;
  }
}

/** Where {@link burnLoops} leaves its result: a store V8 must keep, so the loop is never dead code. */
let loopSink = 0;

/**
 * Runs `iterations` iterations of integer arithmetic: work counted in iterations, not time. Each iteration is a
 * multiply, an add and a truncation whatever the data, so the same knob costs the same instructions on every run
 * (and the same share under valgrind as in CPU time, unlike {@link burnCpu}, whose microseconds are a far
 * smaller share of a target slowed 20-50x). The result goes to a module variable: V8 cannot drop the loop.
 */
export function burnLoops(iterations: number): void {
  if (iterations <= 0) return;
  let x = loopSink;
  for (let i = 0; i < iterations; i++) x = (x * 31 + i) | 0;
  loopSink = x;
}

/** The value {@link burnLoops} has computed so far (tests check that the work was done). */
export function loopChecksum(): number {
  return loopSink;
}

/**
 * Allocates `kb` KiB and writes every byte, so the pages are really resident
 * (a zero-filled allocation can stay unbacked and would not move RSS).
 * Returns `undefined` for 0 so a clean connection carries no extra object.
 */
export function holdMemory(kb: number, leak = false): Buffer | undefined {
  if (kb <= 0) return undefined;
  const ballast = Buffer.allocUnsafeSlow(kb * 1024).fill(0xa5);
  if (leak && leakedKb + kb <= LEAK_CAP_KB) {
    leaked.push(ballast);
    leakedKb += kb;
  }
  return ballast;
}

/**
 * Ballast kept by `TIDEMARK_FAULT_MEM_LEAK`. Capped so that a forgotten knob cannot take the machine's memory:
 * past 1 GiB the leak stops growing (a soak's slope is clear long before that).
 */
const leaked: Buffer[] = [];
let leakedKb = 0;
export const LEAK_CAP_KB = 1_048_576;

/** KiB leaked so far by {@link holdMemory} with `leak` (for tests and `/stats`). */
export function leakedMemoryKb(): number {
  return leakedKb;
}

/** Bernoulli draw with probability `rate` (0 never calls `random`, 1 always succeeds). */
export function chance(rate: number, random: () => number = Math.random): boolean {
  if (rate <= 0) return false;
  if (rate >= 1) return true;
  return random() < rate;
}

/** Per-target helpers bound to one config, so call sites read `faults.shouldDrop()`. */
export interface Faults {
  readonly config: FaultConfig;
  /** Should this operation be answered with an injected error? */
  shouldFail(): boolean;
  /** Should this event/message be silently dropped? */
  shouldDrop(): boolean;
  /** Burns the configured CPU for one operation: the CPU time (`cpuUs`), then the loop iterations (`cpuLoops`). */
  burn(): void;
  /** The per-connection memory ballast, or undefined when the knob is 0. */
  holdMemory(): Buffer | undefined;
}

/**
 * Binds helpers to a config.
 * @param config knobs; default: `faultsFromEnv()`
 * @param random uniform [0,1) source; default `Math.random` (inject a seeded one for deterministic tests)
 */
export function createFaults(config: FaultConfig = faultsFromEnv(), random: () => number = Math.random): Faults {
  return {
    config,
    shouldFail: () => chance(config.errorRate, random),
    shouldDrop: () => chance(config.dropRate, random),
    burn: () => {
      burnCpu(config.cpuUs);
      burnLoops(config.cpuLoops);
    },
    holdMemory: () => holdMemory(config.memKb, config.memLeak),
  };
}
