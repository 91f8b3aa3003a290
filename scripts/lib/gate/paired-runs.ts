/**
 * The runs of a paired A/B gate: one discarded warm-up run per side, then pairs in alternating order (A B, B A,
 * ...) driven by the pair loop (pair-loop.ts) until every scenario is decided, the last look, or the budget.
 */
import type { GateReport, ScenarioComparison } from '../../../reporters/gate-report.ts';
import type { RunResult } from '../../../reporters/run-result.ts';
import type { Look } from './looks.ts';
import { runPairLoop, type PairLoopResult } from './pair-loop.ts';

/**
 * Load phase of the warm-up runs: long enough for k6 to start and send load, short enough to cost little. They
 * exist because the first run of a gate is not like the others (the page cache holds no k6, node or dependency
 * files yet, esbuild starts its service, A's worktree was just written), and with A first in pair 1 that cost
 * would fall on A alone, a systematic difference between the sides.
 */
export const WARMUP_DURATION = '2s';

export interface PairedRunsOptions {
  scenarios: string[];
  /**
   * Runs one side of pair `pair` of `scenario` (A: the git ref's targets; B: the working tree's, with the fault
   * knobs of `-e`). `warmup`: a discarded run with the load phase WARMUP_DURATION.
   */
  runSide: (scenario: string, side: 'A' | 'B', pair: number, warmup: boolean) => Promise<RunResult>;
  /** Filled with the A runs and the B runs of each scenario, pair by pair (index i is pair i + 1 on both). */
  reference: Map<string, RunResult[]>;
  current: Map<string, RunResult[]>;
  /** A harness error stops its scenario and is recorded here. */
  errors: GateReport['errors'];
  looks: Look[];
  budgetMs: number;
  elapsedMs: () => number;
  compare: (scenarios: string[], look: Look) => ScenarioComparison[];
  log: (line: string) => void;
}

/** One run per side of the first scenario, A then B, results discarded; a failure is only a warning. */
async function warmUp(opts: PairedRunsOptions): Promise<void> {
  const first = opts.scenarios[0];
  if (first === undefined) return;
  opts.log(`warm-up: one ${WARMUP_DURATION} run of ${first} per side, not compared`);
  for (const side of ['A', 'B'] as const) {
    try {
      await opts.runSide(first, side, 0, true);
    } catch (err) {
      opts.log(`  warning: warm-up run ${side} failed (${(err as Error).message}); going on`);
    }
  }
}

export async function runPairedRuns(opts: PairedRunsOptions): Promise<PairLoopResult> {
  await warmUp(opts);
  const runPair = async (s: string, pair: number): Promise<'ok' | 'stop'> => {
    try {
      // A B, B A, A B, ...: alternating the order within pairs cancels any effect of running second.
      const order = pair % 2 === 1 ? (['A', 'B'] as const) : (['B', 'A'] as const);
      const runs: Partial<Record<'A' | 'B', RunResult>> = {};
      for (const side of order) runs[side] = await opts.runSide(s, side, pair, false);
      const [a, b] = [runs.A as RunResult, runs.B as RunResult];
      opts.reference.get(s)?.push(a);
      opts.current.get(s)?.push(b);
      const invalid = [a, b].filter((r) => !r.valid);
      if (invalid.length === 0) return 'ok';
      opts.log(`  ${s} pair ${pair}: INVALID (${invalid.map((r) => r.invalidReasons.join('; ')).join(' | ')}): no more pairs for it`);
      return 'stop';
    } catch (err) {
      opts.errors.push({ scenario: s, error: (err as Error).message });
      return 'stop';
    }
  };
  return runPairLoop({ scenarios: opts.scenarios, looks: opts.looks, budgetMs: opts.budgetMs, elapsedMs: opts.elapsedMs, runPair, compare: opts.compare, log: opts.log });
}
