/** The paired-mode and cost sections of docs/GATE.md, written by `npm run gate:accuracy -- --mode paired|cost`. */
import type { CostAccuracyResult } from './accuracy-cost.ts';
import { median as medianOf } from 'simple-statistics';
import { wilson } from './accuracy-doc.ts';
import type { Pair, PairedTrial } from './accuracy-paired.ts';

export interface PairedArm {
  label: string;
  /** The figure a detection must flag (null for A/A). */
  metric: string | null;
  /** What was written in B, e.g. `setTimeout... 0.31 ms` or `{}`. */
  change: string;
  pool: Pair[];
  trials: PairedTrial[];
}

/** Where a measurement came from: what every generated accuracy section states first. */
export interface Provenance {
  runId: string;
  sha: string;
  machine: string;
  load: { start: string; end: string };
  wallS: number;
  command: string;
}

/** The opening line of a generated section: command, run, commit, machine, load average and wall time. */
function measuredBy(p: Provenance): string {
  return `Measured by \`${p.command}\` (run \`${p.runId}\`, commit \`${p.sha.slice(0, 12)}\`, machine \`${p.machine}\`,
load average ${p.load.start} at start and ${p.load.end} at end, ${(p.wallS / 60).toFixed(1)} min).`;
}

export interface PairedDocInput extends Provenance {
  scenario: string;
  duration: string;
  arms: PairedArm[];
  minPairs: number;
  maxPairs: number;
  alpha: number;
}

const pct = (x: number): string => `${(x * 100).toFixed(0)}%`;

/** `k / n (p%, 95% CI lo–hi%)` with Wilson bounds. */
export function share(k: number, n: number): string {
  const [lo, hi] = wilson(k, n);
  return `${k} / ${n} (${pct(k / Math.max(1, n))}, 95% CI ${pct(lo)}–${pct(hi)})`;
}

function median(values: number[]): number | null {
  return values.length === 0 ? null : medianOf(values);
}

function mdeCell(trials: PairedTrial[], metric: string): string {
  const m = median(trials.map((t) => t.mde[metric]).filter((x): x is number => typeof x === 'number'));
  return m === null ? '–' : `${(m * 100).toFixed(1)}%`;
}

/** Short names of the primary figures in the table. */
const SHORT: Record<string, string> = { latency_p50: 'p50', latency_p95: 'p95', rss_per_connection_kb: 'RSS/conn', instructions_per_op: 'instr/op' };

/** How often each figure was called a regression across the arm's gates, e.g. `p50 ×100 · p95 ×8`. */
function failedBy(trials: PairedArm['trials']): string {
  const counts = new Map<string, number>();
  for (const t of trials) for (const m of t.regressions) counts.set(m, (counts.get(m) ?? 0) + 1);
  const cells = [...counts].sort((x, y) => y[1] - x[1]).map(([m, k]) => `${SHORT[m] ?? m} ×${k}`);
  return cells.length === 0 ? '–' : cells.join(' · ');
}

export function renderPairedAccuracy(input: PairedDocInput): string {
  const metrics = ['latency_p50', 'latency_p95', 'rss_per_connection_kb'];
  const rows = input.arms.map((arm) => {
    const valid = arm.pool.filter((p) => p.a.valid && p.b.valid).length;
    const disturbed = arm.pool.filter((p) => p.a.disturbed.length + p.b.disturbed.length > 0).length;
    const n = arm.trials.length;
    const alarms = arm.trials.filter((t) => t.regressions.length > 0 || t.improvements.length > 0).length;
    const detected = arm.metric === null ? '–' : share(arm.trials.filter((t) => t.regressions.includes(arm.metric as string)).length, n);
    const undecided = arm.trials.filter((t) => t.verdict === 'undecided').length;
    const failed = arm.trials.filter((t) => t.verdict === 'regression').length;
    const pairs = median(arm.trials.map((t) => t.pairs)) ?? 0;
    return `| ${arm.label} | \`${arm.change}\` | ${valid} / ${arm.pool.length} (${disturbed} disturbed) | ${arm.metric === null ? share(alarms, n) : '–'} | ${detected} | ${share(failed, n)} (${failedBy(arm.trials)}) | ${share(undecided, n)} | ${pairs} | ${metrics.map((m) => mdeCell(arm.trials, m)).join(' | ')} |`;
  });
  return `## Accuracy in paired mode

${measuredBy(input)}

- A and B are two checkouts of the same commit under \`.tools/ab/\`; for a regression, B carries a change written in
  code (\`scripts/lib/gate/code-regressions.ts\`), sized from the A/A pool's medians. Each arm is a pool of real
  interleaved pairs of \`${input.scenario}\` (${input.duration} load phase, order A B, B A, ...).
- Each gate draws pairs from its arm's pool in random order, without replacement, and is decided by the gate's own
  pair loop and rules: looks every ${input.minPairs} pairs up to ${input.maxPairs}, family-wise α ${input.alpha} split over the looks. A
  false alarm is any primary figure called a regression **or an improvement** in an A/A gate; a detection is the
  changed figure called a regression; "gate failed" counts gates that any primary figure failed (exit 1), with
  how often each figure did. Gates drawn from one pool share pairs, so they are not independent trials.
- MDE columns: the median, over the arm's gates, of the minimum detectable effect (90% power) each gate reported
  for that figure at the look that ended it.

| arm | change in B | valid pairs | false alarms | detected | gate failed (by figure) | undecided | pairs per gate (median) | MDE p50 | MDE p95 | MDE RSS/conn |
|---|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}
`;
}

export interface CostDocInput extends Provenance {
  result: CostAccuracyResult;
}

export function renderCostAccuracy(input: CostDocInput): string {
  const r = input.result;
  const rows = r.arms.map((arm) => {
    const regression = arm.verdicts.regression ?? 0;
    const improvement = arm.verdicts.improvement ?? 0;
    const spreadB = (Math.max(...arm.figuresB) - Math.min(...arm.figuresB)) / (median(arm.figuresB) ?? 1);
    const outcome = arm.iterations === 0 ? `false alarms ${share(regression + improvement, r.trials)}` : `detected ${share(regression, r.trials)}`;
    return `| ${arm.label} | ${arm.iterations} | ${(arm.measuredChange * 100).toFixed(2)}% | ${(spreadB * 100).toFixed(2)}% (${arm.figuresB.length}) | ${outcome} |`;
  });
  return `## Accuracy of instructions per operation

${measuredBy(input)}

- Target \`${r.target}\`: clean median ${Math.round(r.cleanMedian).toLocaleString('en')} instructions per operation; the loop written into
  its per-operation path costs ${r.instructionsPerIteration.toFixed(2)} instructions per iteration (calibrated with one probe).
- Each gate draws ${r.perGate} figure(s) per side from the arm's figures and applies the deterministic rule with the
  margin a paired gate takes from its two sides' spreads (median margin ${(r.margin * 100).toFixed(2)}%); ${r.trials} gates per arm
  (they share figures, so they are not independent trials).

| arm | loop iterations per operation | measured change | spread of B's figures (n) | outcome |
|---|---|---|---|---|
${rows.join('\n')}
`;
}
