/** The baseline-mode accuracy section of docs/GATE.md: measured false-alarm and detection rates against baselines. */
import type { GateReport } from '../../../reporters/gate-report.ts';
import type { MachineInfo } from '../machine.ts';
import type { GitInfo } from '../repo.ts';
import type { AccuracyOptions, AccuracyResult, PoolConditions, TrialOutcome } from './accuracy.ts';

export interface AccuracyDocInput {
  result: AccuracyResult;
  options: Omit<AccuracyOptions, 'log'>;
  wallS: number;
  machine: MachineInfo;
  git: GitInfo;
  runId: string;
  gate: GateReport | null;
  /** Load averages when the measurement started and ended. */
  load: { start: string; end: string };
  /** The command as given, to reproduce the measurement. */
  command: string;
}

/** Wilson score interval for k successes in n trials (95%): honest bounds for small counts. */
export function wilson(k: number, n: number, z = 1.96): [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

function rate(outcomes: TrialOutcome[]): string {
  const k = outcomes.filter((o) => o.regression).length;
  const [lo, hi] = wilson(k, outcomes.length);
  return `${k} / ${outcomes.length} (${((k / Math.max(1, outcomes.length)) * 100).toFixed(0)}%, 95% CI ${(lo * 100).toFixed(0)}–${(hi * 100).toFixed(0)}%)`;
}

function flaggedCounts(outcomes: TrialOutcome[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) for (const f of o.flagged) counts.set(f, (counts.get(f) ?? 0) + 1);
  return [...counts].map(([m, c]) => `${m} ×${c}`).join(', ') || 'none';
}

const share = (x: number | null): string => (x === null ? 'n/a' : `${(x * 100).toFixed(0)}%`);

function poolLine(label: string, p: PoolConditions): string {
  return `${label}: ${p.runs} runs (${p.invalid} invalid, ${p.disturbed} marked disturbed), machine busy ${share(p.busyShare)} and CPU pressure ${share(p.cpuPressureShare)} (medians)`;
}

/** The A/A gates across a quiet and a loaded pool, when measured. */
function loadedRows(result: AccuracyResult): { method: string; rows: string } {
  const l = result.loaded;
  if (!l) return { method: '', rows: '' };
  return {
    method: `
- **Baselines at another machine load:** a second pool taken while ${l.busyThreads} thread(s) of the measuring process
  kept a CPU busy each (scripts/lib/gate/busy-load.ts), interleaved run by run with the quiet pool.
  ${poolLine('Quiet pool', l.quiet)}; ${poolLine('loaded pool', l.loaded)}. ${result.aa.length} more A/A gates each
  way: loaded baselines judging quiet runs, and quiet baselines judging loaded runs.`,
    rows: `
| A/A, baseline taken loaded, runs quiet | ${rate(l.loadedBaseline)} | ${flaggedCounts(l.loadedBaseline)} |
| A/A, baseline taken quiet, runs loaded | ${rate(l.loadedCurrent)} | ${flaggedCounts(l.loadedCurrent)} |`,
  };
}

export function renderAccuracyDoc(input: AccuracyDocInput): string {
  const { result, options: o } = input;
  const meanRun = result.runSeconds.reduce((s, x) => s + x, 0) / Math.max(1, result.runSeconds.length);
  const faultRows = Object.entries(result.faults)
    .map(([name, outcomes]) => `| ${name} | \`${JSON.stringify(result.faultEnv[name])}\` | ${rate(outcomes)} | ${flaggedCounts(outcomes)} |`)
    .join('\n');
  const loaded = loadedRows(result);
  const medians = Object.entries(result.medians)
    .map(([k, v]) => `${k} ${v.toPrecision(3)}`)
    .join(', ');
  return `## Accuracy in baseline mode

Measured by \`npm run gate:accuracy\` (scripts/gate-accuracy.ts): run \`${input.runId}\` on commit \`${input.git.sha.slice(0, 12)}\`, machine \`${input.machine.class}\`
(${input.machine.cpus} × ${input.machine.model}, ${input.machine.memGiB} GiB), load average ${input.load.start} at start and ${input.load.end} at end.

### How it was measured

- Scenario \`${result.scenario}\`, ${o.duration} load phase per run, default load.
- A pool of ${o.poolRuns} unchanged runs (${result.poolInvalid} invalid, left out; runs over a k6 threshold stay in and count as regressions).
  Pool medians: ${medians}.
- **A/A:** ${o.aaTrials} gates, each drawing ${o.baselineRuns} baseline runs and ${o.repeat} current runs,
  disjoint, at random from the pool (seed ${o.seed}). The trials share runs, so they are not independent:
  the false-alarm figure is an estimate, not ${o.aaTrials} independent trials.
- **Injected regressions:** for each fault, ${o.faultTrials} gates of ${o.repeat} fresh runs with the fault knob
  set, each against ${o.baselineRuns} baseline runs drawn from the pool. A trial detects when the gate calls the
  fault's own figure a regression. Fault sizes come from the pool medians: the delay is the stated share of the
  median p95; the CPU burn the stated share of the median CPU time per operation; the memory the stated share
  of the median RSS per connection.${loaded.method}

### Results

| gates | false alarms (any regression) | figures flagged |
|---|---|---|
| A/A (unchanged build) | ${rate(result.aa)} | ${flaggedCounts(result.aa)} |${loaded.rows}

${
  faultRows
    ? `| injected fault | knob | detected | figures flagged |
|---|---|---|---|
${faultRows}`
    : 'No faults were injected in this run (`--faults none`).'
}

Wall time: this measurement took ${(input.wallS / 60).toFixed(1)} min for ${result.runSeconds.length} runs
(${meanRun.toFixed(1)} s per run including target start and stop).
${
  input.gate
    ? `A real gate (\`npm run gate\`, run \`${input.gate.runId}\`: ${input.gate.scenarios.length} scenarios × ${input.gate.repeat} runs) took ${(input.gate.wallTimeS / 60).toFixed(1)} min.`
    : `A gate of S scenarios × ${o.repeat} runs takes about S × ${o.repeat} × ${meanRun.toFixed(0)} s at this run length.`
}

Intervals are Wilson 95% intervals on the counts. Reproduce with:

\`\`\`sh
${input.command}
\`\`\`
`;
}
