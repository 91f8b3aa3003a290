/**
 * The cost probe: instructions per operation of one target, from two workload sizes under cachegrind.
 *
 * One figure = two target processes, each started fresh under valgrind with the deterministic flags and the
 * virtual clock: the small workload (warm-up), and the large one (the same requests, then more). Their
 * difference divided by the difference of their `/stats` `ops` is the cost of the extra operations, with
 * start-up, warm-up, idle and shutdown taken out (see difference.ts). Why two processes and not one window:
 * cachegrind 3.19 cannot start and stop counting on request, and a difference needs no cooperation from the
 * target; the price is a second start-up per figure.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../free-port.ts';
import { repoRoot } from '../repo.ts';
import { bundleTarget } from '../target-bundle.ts';
import { targetEntry, type TargetName } from '../target-registry.ts';
import { instructionsPerOp, summarizeRuns, type WorkloadPoint } from './difference.ts';
import { costDriver, workloadVersion } from './drivers/index.ts';
import type { CostDriver } from './drivers/driver.ts';
import { finalStats } from './drivers/loopback-http.ts';
import { costFacts, type CostFacts } from './facts.ts';
import { frozenClockEnv, libfaketimeVersion } from './frozen-clock.ts';
import { idleWaiter } from './idle-wait.ts';
import { stageTarget } from './stage.ts';
import { DETERMINISTIC_NODE_FLAGS, startUnderCachegrind, valgrindVersion } from './valgrind-run.ts';

/** One figure: a small and a large run of the same workload. */
export interface CostRun {
  instructionsPerOp: number;
  small: WorkloadPoint & { seconds: number };
  large: WorkloadPoint & { seconds: number };
}

/** What `npm run cost` reports per target. */
export interface CostResult {
  target: TargetName;
  /** Median of the runs' figures. */
  instructionsPerOp: number;
  /** Each run's figure, in the order measured. */
  runs: number[];
  /** (max - min) / median of `runs`: the probe's A/A spread. */
  spread: number;
  facts: CostFacts;
  /** What one operation is. */
  unit: string;
  /** Operations of the small and large workloads. */
  sizes: { small: number; large: number };
  /** Wall time of each valgrind run, seconds (small, large per figure). */
  seconds: number[];
}

export interface CostProbeOptions {
  target: TargetName;
  /** Checkout whose `targets/` is bundled and run: another one for paired gates (default this repository). */
  root?: string;
  /** Extra environment of the target, e.g. fault knobs (default none). */
  env?: Record<string, string>;
  /** Workload sizes instead of the driver's (tests use small ones). Default: the driver's. */
  sizes?: { small: number; large: number };
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
  /**
   * Run a figure's small and large workloads at the same time (two valgrind processes): about half the wall
   * time on two or more CPUs, and the same counts, which do not depend on timing (docs/GATE.md). Default false.
   */
  parallel?: boolean;
  /** Node and V8 flags of the target (default {@link DETERMINISTIC_NODE_FLAGS}); recorded in the facts. */
  nodeFlags?: readonly string[];
  /**
   * Keep the work folder (cachegrind outputs for `cg_diff`/`cg_annotate`, target logs) and print where it is.
   * Default false: removed (kept anyway when a run fails, for its logs).
   */
  keepFiles?: boolean;
}

/** A probe ready to measure: bundles built, facts known. */
export interface PreparedCostProbe {
  readonly target: TargetName;
  readonly facts: CostFacts;
  readonly unit: string;
  readonly sizes: { small: number; large: number };
  /** Measures one figure (two valgrind runs). */
  measure(): Promise<CostRun>;
  /** One valgrind run of `ops` operations: its total instructions and `/stats` ops (for experiments). */
  point(ops: number, name: string): Promise<WorkloadPoint & { seconds: number }>;
  /** Removes its temporary files, unless kept (`keepFiles`, or `failed`: their logs say why). */
  dispose(failed?: boolean): Promise<void>;
}

/**
 * Variables that must not reach the probed target from the caller's environment: auth would refuse the driver,
 * NODE_OPTIONS, LD_PRELOAD, FAKETIME* and VALGRIND_OPTS would change what runs.
 */
const DROPPED_ENV = /^(TIDEMARK_AUTH_TOKEN|NODE_OPTIONS|VALGRIND_OPTS|LD_PRELOAD|FAKETIME.*|DONT_FAKE_MONOTONIC)$/;

/**
 * The target's environment: the caller's (minus {@link DROPPED_ENV}), the driver's settings, the extra knobs, the
 * frozen clocks (frozen-clock.ts) and one libuv worker thread: a start-up reads its modules through that pool,
 * and with one thread they complete in the order they were asked for (with four, identical runs loaded them in
 * different orders and optimised different functions first: 25 M instructions apart).
 */
function targetEnv(driver: CostDriver, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (DROPPED_ENV.test(name)) delete env[name];
  return { ...env, ...driver.env, ...extra, ...frozenClockEnv(), UV_THREADPOOL_SIZE: '1' };
}

/** Reads a number from `/stats`, or throws naming the field. */
function statNumber(stats: Record<string, unknown>, path: string[]): number {
  let value: unknown = stats;
  for (const key of path) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  if (typeof value !== 'number') throw new Error(`/stats has no number at ${path.join('.')}`);
  return value;
}

/**
 * What the counts of `target`'s probe depend on, here (facts.ts).
 * @param nodeFlags the probe's flags (default {@link DETERMINISTIC_NODE_FLAGS})
 * @throws when valgrind is missing
 */
export async function probeFacts(target: TargetName, nodeFlags: readonly string[] = DETERMINISTIC_NODE_FLAGS): Promise<CostFacts> {
  return costFacts(await valgrindVersion(), libfaketimeVersion(), nodeFlags, workloadVersion(target));
}

/**
 * Bundles the target (as the harness runs it) and the probe's preload, and reads the facts.
 * @throws when valgrind is missing or the target does not exist in `root`
 */
export async function prepareCostProbe(opts: CostProbeOptions): Promise<PreparedCostProbe> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const driver = costDriver(opts.target);
  const root = opts.root ?? repoRoot;
  const sizes = opts.sizes ?? driver.sizes;
  if (!(sizes.large > sizes.small && sizes.small >= 0)) throw new Error(`cost sizes ${sizes.small}/${sizes.large}: the large workload must be larger than the small one`);
  const facts = await probeFacts(opts.target, opts.nodeFlags);
  const nodeFlags = facts.nodeFlags;
  const env = targetEnv(driver, opts.env ?? {});
  const bundle = await bundleTarget(targetEntry(opts.target, root), root, opts.target);
  // The preload is the probe's (this checkout's), whichever checkout the target comes from.
  const preload = await bundleTarget(join(repoRoot, 'scripts/lib/cost/preload/index.ts'), repoRoot, 'cost-preload');
  const workDir = await mkdtemp(join(tmpdir(), `tidemark-cost-${opts.target}-`));
  const staged = await stageTarget(workDir, root, bundle, preload);
  let runs = 0;

  const runWorkload = async (ops: number, name: string): Promise<WorkloadPoint & { seconds: number }> => {
    const started = performance.now();
    const port = await freePort();
    const target = await startUnderCachegrind({ ...staged, port, env, workDir, name, nodeFlags, keepOutput: opts.keepFiles === true });
    let stats: Record<string, unknown>;
    try {
      const idle = await idleWaiter(target.pid, log);
      await driver.drive({ port, advanceClock: (ms) => target.send(`advance ${ms}`), idle }, ops);
      await idle();
      stats = await finalStats(port);
      const open = statNumber(stats, ['connections', 'current']);
      if (open !== 0) throw new Error(`the target still had ${open} connection(s) open after the workload closed them all`);
      // Stopped only once idle, so that the shutdown meets the same state in every run.
      await idle();
    } catch (err) {
      await target.kill();
      throw new Error(`${opts.target} cost workload (${ops} operations) failed: ${(err as Error).message}; target log: ${target.logFile}`);
    }
    const instructions = await target.stop();
    return { instructions, ops: statNumber(stats, ['ops']), seconds: (performance.now() - started) / 1000 };
  };

  return {
    target: opts.target,
    facts,
    unit: driver.unit,
    sizes,
    point: runWorkload,
    async measure() {
      const n = ++runs;
      const runSmall = (): ReturnType<typeof runWorkload> => withOneRetry(() => runWorkload(sizes.small, `${opts.target}-${n}-small`), log);
      const runLarge = (): ReturnType<typeof runWorkload> => withOneRetry(() => runWorkload(sizes.large, `${opts.target}-${n}-large`), log);
      const [small, large] = opts.parallel ? await Promise.all([runSmall(), runLarge()]) : [await runSmall(), await runLarge()];
      const perOp = instructionsPerOp(small, large);
      log(`  ${opts.target} cost run ${n}: ${Math.round(perOp).toLocaleString('en')} instructions/op (${large.ops - small.ops} ops; ${small.seconds.toFixed(1)} s + ${large.seconds.toFixed(1)} s)`);
      return { instructionsPerOp: perOp, small, large };
    },
    async dispose(failed = false) {
      const keep = opts.keepFiles === true || (failed && (await readdir(workDir)).length > 0);
      if (keep) log(`  ${opts.target} cost files kept in ${workDir}`);
      else await rm(workDir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `run` again once when it fails: on a shared machine a valgrind process is sometimes killed from outside (a
 * neighbour's clean-up), and a figure is worth a second try; a failure that repeats is reported.
 */
async function withOneRetry<T>(run: () => Promise<T>, log: (line: string) => void): Promise<T> {
  try {
    return await run();
  } catch (err) {
    log(`  cost run failed, trying once more: ${(err as Error).message}`);
    return run();
  }
}

/** Summarises runs of one prepared probe as `npm run cost` reports them. */
export function costResult(probe: PreparedCostProbe, runs: CostRun[]): CostResult {
  const figures = runs.map((r) => r.instructionsPerOp);
  const { median, spread } = summarizeRuns(figures);
  return {
    target: probe.target,
    instructionsPerOp: median,
    runs: figures,
    spread,
    facts: probe.facts,
    unit: probe.unit,
    sizes: probe.sizes,
    seconds: runs.flatMap((r) => [r.small.seconds, r.large.seconds]),
  };
}

/**
 * Probes one target `repeat` times.
 * @param repeat figures to take (default 3)
 */
export async function probeCost(opts: CostProbeOptions & { repeat?: number }): Promise<CostResult> {
  const probe = await prepareCostProbe(opts);
  const runs: CostRun[] = [];
  try {
    for (let i = 0; i < (opts.repeat ?? 3); i++) runs.push(await probe.measure());
  } catch (err) {
    await probe.dispose(true);
    throw err;
  }
  await probe.dispose();
  return costResult(probe, runs);
}
