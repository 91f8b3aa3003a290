/**
 * Paired-mode accuracy: pools of real interleaved A/B pairs, then adaptive paired gates drawn from the pools and
 * decided by the gate's own pair loop (pair-loop.ts) and decision rule (compare.ts).
 *
 * A and B are two checkouts of the same commit under `.tools/ab/`, so neither side is the working tree and
 * nothing but the code can differ: for A/A both are unchanged; for a regression, B carries a change written in
 * code (code-regressions.ts). A drawn gate takes pairs from its pool in random order, without replacement, until
 * the loop stops it, exactly as a live gate would add fresh pairs.
 */
import { execFileSync } from 'node:child_process';
import type { ScenarioComparison } from '../../../reporters/gate-report.ts';
import type { RunResult } from '../../../reporters/run-result.ts';
import { runScenario } from '../run-scenario.ts';
import { draw, seededRandom } from './accuracy.ts';
import { applyCodeRegression, type CodeRegression } from './code-regressions.ts';
import { compareAll } from './compare.ts';
import { defaultGatedFor, gatedFigures } from './gated-metrics.ts';
import { lookSchedule } from './looks.ts';
import { runPairLoop } from './pair-loop.ts';

export interface Pair {
  a: RunResult;
  b: RunResult;
}

export interface PairPoolOptions {
  scenario: string;
  /** Checkouts whose targets run as A and B. */
  rootA: string;
  rootB: string;
  pairs: number;
  duration: string;
  runId: string;
  outDir: string;
  /** Pin k6 and the target to separate CPUs (run-scenario's `pin`). @default false */
  pin?: boolean;
  log: (line: string) => void;
}

/** Runs `pairs` interleaved pairs (A B, B A, ...); invalid pairs are kept, the gate would see them too. */
export async function measurePairPool(opts: PairPoolOptions): Promise<Pair[]> {
  const pool: Pair[] = [];
  for (let i = 1; i <= opts.pairs; i++) {
    const side = (root: string, label: 'A' | 'B'): Promise<RunResult> =>
      runScenario({ scenario: opts.scenario, runId: opts.runId, outDir: `${opts.outDir}/${label}`, repeat: i, duration: opts.duration, targetRoot: root, pin: opts.pin ?? false, log: () => {} });
    let a: RunResult;
    let b: RunResult;
    if (i % 2 === 1) {
      a = await side(opts.rootA, 'A');
      b = await side(opts.rootB, 'B');
    } else {
      b = await side(opts.rootB, 'B');
      a = await side(opts.rootA, 'A');
    }
    pool.push({ a, b });
    const state = a.valid && b.valid ? 'valid' : 'INVALID';
    const disturbed = [...a.disturbed, ...b.disturbed];
    opts.log(`  pair ${i}/${opts.pairs}: ${state}${disturbed.length > 0 ? `, disturbed (${disturbed.join('; ')})` : ''}`);
  }
  return pool;
}

/** Resets checkout `root` to its commit and applies `regression` at `size` (a no-op regression: unchanged). */
export async function prepareSideB(root: string, regression: CodeRegression | null, size: number): Promise<void> {
  execFileSync('git', ['checkout', '--', '.'], { cwd: root, stdio: 'ignore' });
  if (regression !== null) await applyCodeRegression(root, regression, size);
}

export interface PairedTrial {
  verdict: ScenarioComparison['verdict'];
  /** Primary figures called a regression, and those called an improvement. */
  regressions: string[];
  improvements: string[];
  undecided: string[];
  pairs: number;
  /** Minimum detectable effect of each primary test-based figure at the look that ended the gate. */
  mde: Record<string, number | null>;
}

export interface PairedTrialOptions {
  trials: number;
  alpha: number;
  minPairs: number;
  maxPairs: number;
  seed: number;
}

/** Adaptive paired gates drawn from `pool` (at most `pool.length` pairs each), decided by the real rules. */
export async function drawPairedGates(scenario: string, pool: Pair[], opts: PairedTrialOptions): Promise<PairedTrial[]> {
  const random = seededRandom(opts.seed);
  const looks = lookSchedule(opts.minPairs, Math.min(opts.maxPairs, pool.length), opts.alpha, 0.95);
  const trials: PairedTrial[] = [];
  for (let t = 0; t < opts.trials; t++) {
    const order = draw(pool, pool.length, random);
    const reference: RunResult[] = [];
    const current: RunResult[] = [];
    const result = await runPairLoop({
      scenarios: [scenario],
      looks,
      budgetMs: Number.POSITIVE_INFINITY,
      elapsedMs: () => 0,
      runPair: async (_s, pair) => {
        const p = order[pair - 1];
        if (p === undefined) return 'stop';
        reference.push(p.a);
        current.push(p.b);
        return p.a.valid && p.b.valid ? 'ok' : 'stop';
      },
      compare: (_ss, look) =>
        compareAll(
          [{ scenario, gated: defaultGatedFor(scenario), reference: reference.map(gatedFigures), referenceRuns: reference, current, paired: true }],
          { alpha: look.alpha, level: look.level },
        ),
      log: () => {},
    });
    const outcome =
      result.decided.get(scenario) ??
      (compareAll([{ scenario, gated: defaultGatedFor(scenario), reference: reference.map(gatedFigures), referenceRuns: reference, current, paired: true }], {
        alpha: opts.alpha,
        level: 0.95,
      })[0] as ScenarioComparison);
    const primary = outcome.metrics.filter((m) => m.role === 'primary');
    trials.push({
      verdict: outcome.verdict,
      regressions: primary.filter((m) => m.verdict === 'regression').map((m) => m.metric),
      improvements: primary.filter((m) => m.verdict === 'improvement').map((m) => m.metric),
      undecided: primary.filter((m) => m.verdict === 'undecided' || m.verdict === 'insufficient').map((m) => m.metric),
      pairs: reference.length,
      mde: Object.fromEntries(primary.filter((m) => m.rule !== 'deterministic').map((m) => [m.metric, m.mde])),
    });
  }
  return trials;
}

/** Median of each gated figure over a pool's A runs: what "+10% of p95" is sized from. */
export function poolMedians(pool: Pair[]): Record<string, number> {
  const medians: Record<string, number> = {};
  const figures = pool.filter((p) => p.a.valid).map((p) => gatedFigures(p.a));
  for (const name of Object.keys(figures[0] ?? {})) {
    const v = figures
      .map((f) => f[name])
      .filter((x): x is number => typeof x === 'number')
      .sort((x, y) => x - y);
    if (v.length > 0) medians[name] = v[Math.floor(v.length / 2)] as number;
  }
  return medians;
}
