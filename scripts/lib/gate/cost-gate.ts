/**
 * The cost probe in the gate: for each target of the gated scenarios, `instructions_per_op` as a scenario-like
 * entry `<target>/cost` for compare.ts (rule `deterministic`, decision-rules.ts).
 * - baseline mode: probe this tree, compare with `baselines/cost-<target>.json` (refused when its facts differ);
 * - paired mode: probe A's checkout and this tree, interleaved (A B, B A, ...), on this machine.
 * The margin comes from the measured A/A spread (cost-margin.ts): the committed baseline's (10 figures), widened
 * by what the gate's own figures show. A side whose figures disagree gets up to two more (cost-margin.ts
 * `AGREEMENT`). One figure per side is the default where a committed margin applies: a gate's two figures cannot
 * show a spread that ten did not, and each figure is two valgrind runs of 20-40 s (4 targets × 2 sides × 2 figures
 * was 7.2 of a paired gate's minutes).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { prepareCostProbe, probeFacts, type CostProbeOptions, type PreparedCostProbe } from '../cost/probe.ts';
import type { TargetName } from '../target-registry.ts';
import type { CompareInput } from './compare.ts';
import { deterministicVerdict } from './decision-rules.ts';
import { checkCostFacts, costBaselinePath, readCostBaseline } from './cost-baseline.ts';
import { marginForFigures, untilAgreed } from './cost-margin.ts';
import type { FigureSpec } from './gated-metrics.ts';

/** The metric name of the figure, as compare.ts and the reports know it. */
export const COST_METRIC = 'instructions_per_op';

/** `<target>/cost`: the entry's scenario name in reports. */
export function costScenario(target: string): string {
  return `${target}/cost`;
}

export interface CostGateOptions {
  targets: TargetName[];
  /** Figures per side. @default 1 where a committed baseline gives the margin ({@link committedMargin}), else 2 */
  repeat?: number | undefined;
  /** A's checkout: paired mode. Default: baseline mode (committed cost baselines). */
  referenceRoot?: string | undefined;
  /** B's checkout. @default this repository */
  currentRoot?: string | undefined;
  /** Environment of B's targets (fault knobs), as for its load runs. @default none */
  env?: Record<string, string>;
  /** Workload sizes per target instead of the drivers' (tests). @default the drivers' */
  sizes?: Partial<Record<TargetName, { small: number; large: number }>>;
  /** Figures each side adds to confirm a regression before it fails the gate. @default CONFIRM_FIGURES */
  confirm?: number;
  /** Each figure's two valgrind runs at the same time (CostProbeOptions.parallel). @default true with 2 or more CPUs */
  parallel?: boolean;
  log: (line: string) => void;
}

export interface CostGateResult {
  inputs: CompareInput[];
  errors: Array<{ scenario: string; error: string }>;
}

function spec(margin: number): FigureSpec {
  return { direction: 'lower', margin, rule: 'deterministic' };
}

/** The two valgrind runs of a figure run side by side where there are CPUs for them: the counts do not change. */
function parallelOf(opts: CostGateOptions): boolean {
  return opts.parallel ?? availableParallelism() >= 2;
}

/** One figure of a prepared probe. */
const measureOnce = async (probe: PreparedCostProbe): Promise<number> => (await probe.measure()).instructionsPerOp;

const asFigures = (values: number[]): Array<Record<string, number | null>> => values.map((v) => ({ [COST_METRIC]: v }));

/** Prepares a probe and always disposes of it (its files kept when it failed). */
async function withProbe<T>(opts: CostProbeOptions, use: (probe: PreparedCostProbe) => Promise<T>): Promise<T> {
  const probe = await prepareCostProbe(opts);
  try {
    const result = await use(probe);
    await probe.dispose();
    return result;
  } catch (err) {
    await probe.dispose(true);
    throw err;
  }
}


/**
 * Figures each probed side adds before a change of instructions per operation is called, either way (a false
 * improvement is a false alarm too). A target's figures can sit on two levels (jsonrpc had 3 of 10 figures 1.9%
 * above the rest, a JIT event, until its packages were bundled; docs/GATE.md "The probe's A/A spread"); a side whose
 * first figures all landed on one level and the other side's on the other reads as a change. More figures make a
 * side show both levels, which widens the margin (cost-margin.ts `marginForFigures`), or confirm the change.
 */
export const CONFIRM_FIGURES = 4;

const confirmOf = (opts: CostGateOptions): number => opts.confirm ?? CONFIRM_FIGURES;

/** The change the figures so far read as by the gate's own rule (decision-rules.ts), or null when unchanged. */
function readsAsChange(reference: number[], current: number[], margin: number): 'regression' | 'improvement' | null {
  const { verdict } = deterministicVerdict(reference, current, 'lower', margin);
  return verdict === 'regression' || verdict === 'improvement' ? verdict : null;
}

/** The log line that announces the confirming figures. */
function confirmLine(what: string, change: 'regression' | 'improvement', figures: number, perSide: boolean): string {
  return `  ${what}: reads as ${change === 'regression' ? 'a regression' : 'an improvement'}; ${figures} more figure(s)${perSide ? ' per side' : ''} to confirm it`;
}

/** Figures per side when a committed margin applies, and when the gate's own figures must show their spread. */
export const FIGURES_WITH_COMMITTED_MARGIN = 1;
export const FIGURES_WITHOUT_COMMITTED_MARGIN = 2;

/**
 * The committed baseline's margin when its facts match this machine's, else null: derived from 10 figures' A/A
 * spread (two levels included, where a target shows them), it holds for a paired gate's few figures too.
 */
export async function committedMargin(target: TargetName): Promise<number | null> {
  if (!existsSync(costBaselinePath(target))) return null;
  try {
    const baseline = await readCostBaseline(target);
    checkCostFacts(baseline, await probeFacts(target));
    return baseline.margin;
  } catch {
    return null;
  }
}

async function baselineEntry(target: TargetName, opts: CostGateOptions): Promise<CompareInput> {
  const baseline = await readCostBaseline(target);
  const probeOpts = { target, root: opts.currentRoot, env: opts.env ?? {}, sizes: opts.sizes?.[target], parallel: parallelOf(opts), log: opts.log };
  // Refused before anything runs: counts from another Node, CPU, valgrind or probe are not comparable.
  checkCostFacts(baseline, await probeFacts(target));
  // The baseline's margin, wider when this side's own figures sit on two levels the baseline's did not show.
  const marginFor = (figures: number[]): number => Math.max(baseline.margin, marginForFigures(figures));
  const current = await withProbe(probeOpts, async (probe) => {
    const figures: number[] = [];
    for (let i = 0; i < (opts.repeat ?? FIGURES_WITH_COMMITTED_MARGIN); i++) figures.push(await measureOnce(probe));
    await untilAgreed(figures, () => measureOnce(probe), opts.log, costScenario(target));
    const change = readsAsChange(baseline.runs, figures, marginFor(figures));
    if (change) {
      opts.log(confirmLine(costScenario(target), change, confirmOf(opts), false));
      for (let i = 0; i < confirmOf(opts); i++) figures.push(await measureOnce(probe));
    }
    return figures;
  });
  return { scenario: costScenario(target), gated: { [COST_METRIC]: spec(marginFor(current)) }, reference: asFigures(baseline.runs), current: [], currentFigures: asFigures(current) };
}

async function pairedEntry(target: TargetName, referenceRoot: string, opts: CostGateOptions): Promise<CompareInput> {
  const sizes = opts.sizes?.[target];
  const a: number[] = [];
  const b: number[] = [];
  const committed = await committedMargin(target);
  const repeat = opts.repeat ?? (committed === null ? FIGURES_WITHOUT_COMMITTED_MARGIN : FIGURES_WITH_COMMITTED_MARGIN);
  const marginFor = (): number => Math.max(committed ?? 0, marginForFigures(a, b));
  opts.log(`  ${costScenario(target)}: ${repeat} figure(s) per side, margin ${committed === null ? 'from them' : `at least the committed ${(committed * 100).toFixed(2)}%`}`);
  const parallel = parallelOf(opts);
  await withProbe({ target, root: referenceRoot, sizes, parallel, log: opts.log }, (probeA) =>
    withProbe({ target, root: opts.currentRoot, env: opts.env ?? {}, sizes, parallel, log: opts.log }, async (probeB) => {
      // A B, B A, ...: as the load runs do, although counts do not depend on the order.
      const interleaved = async (pairs: number): Promise<void> => {
        const done = a.length;
        for (let i = done + 1; i <= done + pairs; i++) {
          const order = i % 2 === 1 ? ([probeA, probeB] as const) : ([probeB, probeA] as const);
          for (const probe of order) (probe === probeA ? a : b).push(await measureOnce(probe));
        }
      };
      await interleaved(repeat);
      await untilAgreed(a, () => measureOnce(probeA), opts.log, `${costScenario(target)} A`);
      await untilAgreed(b, () => measureOnce(probeB), opts.log, `${costScenario(target)} B`);
      const change = readsAsChange(a, b, marginFor());
      if (change) {
        opts.log(confirmLine(costScenario(target), change, confirmOf(opts), true));
        await interleaved(confirmOf(opts));
      }
    }),
  );
  return { scenario: costScenario(target), gated: { [COST_METRIC]: spec(marginFor()) }, reference: asFigures(a), current: [], currentFigures: asFigures(b), paired: true };
}

/**
 * Probes every target; a target that cannot be probed (valgrind missing, no baseline, other facts, a failed run)
 * becomes an error of its `<target>/cost` entry, which makes the gate invalid (exit 2), as a failed load run does.
 */
export async function probeCostForGate(opts: CostGateOptions): Promise<CostGateResult> {
  const inputs: CompareInput[] = [];
  const errors: CostGateResult['errors'] = [];
  for (const target of opts.targets) {
    opts.log(`  ${costScenario(target)}: ${opts.referenceRoot ? 'A and B interleaved' : 'against its cost baseline'}`);
    try {
      inputs.push(opts.referenceRoot ? await pairedEntry(target, opts.referenceRoot, opts) : await baselineEntry(target, opts));
    } catch (err) {
      errors.push({ scenario: costScenario(target), error: (err as Error).message });
    }
  }
  return { inputs, errors };
}
