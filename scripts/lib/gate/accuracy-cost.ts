/**
 * Accuracy of the instructions-per-operation figure: probe figures of a clean checkout (A) and of a checkout with
 * a loop written into the target's per-operation path (B), sized to a share of the clean cost, then gates drawn
 * from those figures and decided by the gate's deterministic rule.
 *
 * Sizing: the loop's cost per iteration is calibrated first (one probe of B with a known loop length against A's
 * median), so "+5%" means 5% of the instructions this machine counts for the clean target today.
 */
import { median } from 'simple-statistics';
import { prepareCostProbe } from '../cost/probe.ts';
import type { TargetName } from '../target-registry.ts';
import { draw, seededRandom } from './accuracy.ts';
import { prepareSideB } from './accuracy-paired.ts';
import type { CodeRegression } from './code-regressions.ts';
import { marginForFigures } from './cost-margin.ts';
import { deterministicVerdict } from './decision-rules.ts';

/** Loop length of the calibration probe: large enough to stand far above the probe's spread. */
const CALIBRATION_ITERATIONS = 2000;

export interface CostAccuracyOptions {
  target: TargetName;
  rootA: string;
  rootB: string;
  regression: CodeRegression;
  /** Sizes as shares of the clean cost, e.g. [0.05, 0.1]. */
  shares: number[];
  /** Probe figures per side and size. */
  figures: number;
  /** Figures per side in one drawn gate (the gate's probe repeat). */
  perGate: number;
  trials: number;
  seed: number;
  log: (line: string) => void;
}

export interface CostAccuracyArm {
  label: string;
  /** Loop iterations per operation (0 for A/A). */
  iterations: number;
  /** Measured change of B's median over A's median. */
  measuredChange: number;
  figuresA: number[];
  figuresB: number[];
  verdicts: Record<string, number>;
}

export interface CostAccuracyResult {
  target: TargetName;
  instructionsPerIteration: number;
  cleanMedian: number;
  arms: CostAccuracyArm[];
  /** Median margin the drawn gates used (each from its own figures' spreads, as a paired gate does). */
  margin: number;
  perGate: number;
  trials: number;
}


async function probeFigures(target: TargetName, root: string, count: number, log: (line: string) => void): Promise<number[]> {
  // Side by side: a figure's two runs count the same instructions either way, in about half the wall time.
  const probe = await prepareCostProbe({ target, root, log, parallel: true });
  try {
    const figures: number[] = [];
    for (let i = 0; i < count; i++) figures.push((await probe.measure()).instructionsPerOp);
    return figures;
  } finally {
    await probe.dispose();
  }
}

/**
 * Gates drawn from two figure sets: `perGate` from each (A/A: disjoint draws from one set), each decided as a
 * paired gate decides its `<target>/cost` entry: the margin from the wider spread of its two sides (cost-margin.ts).
 */
function drawVerdicts(a: number[], b: number[] | null, opts: CostAccuracyOptions, random: () => number, margins: number[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let t = 0; t < opts.trials; t++) {
    let ref: number[];
    let cur: number[];
    if (b === null) {
      const picked = draw(a, 2 * opts.perGate, random);
      ref = picked.slice(0, opts.perGate);
      cur = picked.slice(opts.perGate);
    } else {
      ref = draw(a, opts.perGate, random);
      cur = draw(b, opts.perGate, random);
    }
    const margin = marginForFigures(ref, cur);
    margins.push(margin);
    const { verdict } = deterministicVerdict(ref, cur, 'lower', margin);
    counts[verdict] = (counts[verdict] ?? 0) + 1;
  }
  return counts;
}

export async function measureCostAccuracy(opts: CostAccuracyOptions): Promise<CostAccuracyResult> {
  const random = seededRandom(opts.seed);
  opts.log(`cost accuracy ${opts.target}: ${opts.figures} clean figures (A)`);
  await prepareSideB(opts.rootA, null, 0);
  const figuresA = await probeFigures(opts.target, opts.rootA, Math.max(opts.figures, 2 * opts.perGate), opts.log);
  const cleanMedian = median(figuresA);

  await prepareSideB(opts.rootB, opts.regression, CALIBRATION_ITERATIONS);
  const [calibrated] = await probeFigures(opts.target, opts.rootB, 1, opts.log);
  const instructionsPerIteration = ((calibrated as number) - cleanMedian) / CALIBRATION_ITERATIONS;
  if (!(instructionsPerIteration > 0)) throw new Error(`${opts.regression.name}: the calibration loop added no instructions (${calibrated} against ${cleanMedian}); is its anchor on the measured path?`);
  opts.log(`  calibration: ${instructionsPerIteration.toFixed(2)} instructions per loop iteration`);

  const margins: number[] = [];
  const arms: CostAccuracyArm[] = [
    { label: 'A/A (unchanged)', iterations: 0, measuredChange: 0, figuresA, figuresB: figuresA, verdicts: drawVerdicts(figuresA, null, opts, random, margins) },
  ];
  for (const share of opts.shares) {
    const iterations = Math.max(1, Math.round((share * cleanMedian) / instructionsPerIteration));
    await prepareSideB(opts.rootB, opts.regression, iterations);
    opts.log(`  +${(share * 100).toFixed(0)}%: ${iterations} iterations per operation, ${opts.figures} figures (B)`);
    const figuresB = await probeFigures(opts.target, opts.rootB, opts.figures, opts.log);
    arms.push({
      label: `${opts.regression.name} +${(share * 100).toFixed(0)}%`,
      iterations,
      measuredChange: median(figuresB) / cleanMedian - 1,
      figuresA,
      figuresB,
      verdicts: drawVerdicts(figuresA, figuresB, opts, random, margins),
    });
  }
  await prepareSideB(opts.rootB, null, 0);
  return { target: opts.target, instructionsPerIteration, cleanMedian, arms, margin: median(margins), perGate: opts.perGate, trials: opts.trials };
}
