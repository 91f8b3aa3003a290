/** `npm run gate:accuracy`: measures the gate's false-alarm and detection rates and writes them into docs/GATE.md. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { parseCli, positiveInt, runMain, UsageError } from './lib/cli.ts';
import { gitInfo, repoPath } from './lib/repo.ts';
import { loadAverage, machineInfo } from './lib/machine.ts';
import { newRunId } from './lib/run-id.ts';
import { replaceGeneratedSection } from './lib/doc-sections.ts';
import { isTargetName } from './lib/target-registry.ts';
import { measureAccuracy, type FaultPlan } from './lib/gate/accuracy.ts';
import { renderAccuracyDoc } from './lib/gate/accuracy-doc.ts';
import { drawPairedGates, measurePairPool, poolMedians, prepareSideB } from './lib/gate/accuracy-paired.ts';
import { renderCostAccuracy, renderPairedAccuracy, type PairedArm } from './lib/gate/accuracy-paired-doc.ts';
import { measureCostAccuracy } from './lib/gate/accuracy-cost.ts';
import { CODE_REGRESSIONS } from './lib/gate/code-regressions.ts';
import { DEFAULT_GATED } from './lib/gate/gated-metrics.ts';
import { PAIRED_DEFAULTS } from './lib/gate/looks.ts';
import { renderMethodSection } from './lib/gate/method-doc.ts';
import { checkoutRef } from './lib/gate/worktree.ts';
import type { GateReport } from '../reporters/gate-report.ts';

const USAGE = `
usage: npm run gate:accuracy -- [--mode baseline|paired|cost|method] [options]

Measures the gate's false-alarm and detection rates with its real decision rules and writes them into
docs/GATE.md (only the generated section of the mode; the rest of the file is left alone) and
results/<runId>/accuracy-<mode>.json. Takes long: every trial rests on real runs.

  baseline  a pool of unchanged runs; A/A gates drawn from it; gates with faults injected through the
            knobs (delay sized to +X% p95, memory to +X% RSS per connection), against baselines drawn
            from the pool.
  paired    two checkouts of HEAD under .tools/ab/ (A, B); a pool of real interleaved A/A pairs, and one
            pool per regression written in code into B (code-regressions.ts); adaptive paired gates
            drawn from the pools by the gate's own pair loop.
  cost      probe figures of a clean checkout and of one with a loop written into the target's
            per-operation path, sized to +X% of its instructions; gates drawn from them.
  method    only rewrite the Method section from the code's tables (seconds; every mode does it too).

options (every mode):
  --duration D       load phase per run (default 5s)
  --alpha A          Holm family-wise error rate (default 0.01)
  --out FILE         the document to update (default docs/GATE.md)
  --pin              pin k6 and the target to separate CPUs in every run (as the gate's --pin)
baseline mode:
  --scenario S       scenario to measure (default sse/sustained)
  --pool N           unchanged runs in the pool (default 40)
  --aa N             A/A trials drawn from the pool (default 100)
  --trials N         injected trials per fault and size (default 20)
  --repeat N         runs per gate, as the gate's --repeat (default 3)
  --baseline-runs N  baseline runs per trial (default 5)
  --sizes LIST       injected sizes as shares, e.g. 0.1,0.25 (default 0.1)
  --faults LIST      delay,mem (default both), or none (A/A only)
  --loaded-pool N    also N runs taken while --busy-threads threads burn CPU, interleaved with the pool,
                     and A/A gates crossing the two (baselines at another machine load; default 0)
  --busy-threads K   threads that each keep a CPU busy during the loaded runs (default 1)
  --gate-report F    a report.json of a real \`npm run gate\` whose wall time goes in the doc
paired mode:
  --scenario S       scenario (default sse/sustained)
  --pool N           pairs per arm (default 20)
  --gates N          gates drawn per arm (default 100)
  --regressions L    name:share list (default sse-delay:0.1,sse-delay:0.25,sse-alloc:0.1); names: ${Object.keys(CODE_REGRESSIONS).join(', ')}
  --min-pairs N      pairs before the first look and between looks (default ${PAIRED_DEFAULTS.minPairs})
  --max-pairs N      most pairs per gate (default ${PAIRED_DEFAULTS.maxPairs}, at most --pool)
cost mode:
  --target T         target to probe (default sse)
  --regression R     loop regression (default sse-loop)
  --sizes LIST       shares of the clean cost (default 0.05,0.1)
  --figures N        probe figures per side and size (default 10)
  --per-gate N       figures per side in one gate (default 2, as \`npm run gate\` probes)
  --gates N          gates drawn per arm (default 100)
  -h, --help         this text
`;

function faultPlans(kinds: string[], sizes: number[]): FaultPlan[] {
  const plans: FaultPlan[] = [];
  for (const size of sizes) {
    const pct = `+${Math.round(size * 100)}%`;
    for (const kind of kinds) {
      if (kind === 'delay') {
        // An added delay d moves every latency sample by d: p95 + d = p95 × (1 + size).
        plans.push({ name: `delay ${pct} p95`, metric: 'latency_p95', env: (m) => ({ TIDEMARK_FAULT_DELAY_MS: ((m.latency_p95 ?? 0) * size).toFixed(3) }) });
      } else if (kind === 'mem') {
        plans.push({ name: `mem ${pct} per connection`, metric: 'rss_per_connection_kb', env: (m) => ({ TIDEMARK_FAULT_MEM_KB: Math.max(1, Math.round((m.rss_per_connection_kb ?? 0) * size)).toString() }) });
      } else if (kind === 'cpu') {
        throw new UsageError('--faults cpu: CPU time per operation is an advisory figure now; measure the detection of added work per operation with --mode cost (instructions per operation)');
      } else {
        throw new UsageError(`--faults: unknown fault ${kind}; use delay, mem`);
      }
    }
  }
  return plans;
}

function shares(flag: string, raw: string): number[] {
  const list = raw.split(',').map(Number);
  if (list.some((s) => !(s > 0 && s < 10))) throw new UsageError(`${flag} ${raw}: expected shares such as 0.1,0.25`);
  return list;
}

/** Writes `body` as generated section `name` of the document (and the Method section, from the code). */
async function writeSection(out: string, name: string, body: string, alpha: number): Promise<void> {
  let doc = await readFile(out, 'utf8').catch(() => '# The regression gate: method and measured accuracy\n');
  doc = replaceGeneratedSection(doc, 'method', renderMethodSection(alpha));
  await writeFile(out, replaceGeneratedSection(doc, name, body));
  process.stdout.write(`wrote the ${name} section of ${out}\n`);
}

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

runMain(async () => {
  const { values } = parseCli(USAGE, {
    mode: { type: 'string' },
    scenario: { type: 'string' },
    pool: { type: 'string' },
    aa: { type: 'string' },
    trials: { type: 'string' },
    repeat: { type: 'string' },
    'baseline-runs': { type: 'string' },
    sizes: { type: 'string' },
    faults: { type: 'string' },
    duration: { type: 'string' },
    alpha: { type: 'string' },
    'gate-report': { type: 'string' },
    out: { type: 'string' },
    pin: { type: 'boolean' },
    gates: { type: 'string' },
    regressions: { type: 'string' },
    'min-pairs': { type: 'string' },
    'max-pairs': { type: 'string' },
    target: { type: 'string' },
    regression: { type: 'string' },
    figures: { type: 'string' },
    'per-gate': { type: 'string' },
    'loaded-pool': { type: 'string' },
    'busy-threads': { type: 'string' },
  });
  const mode = values.mode ?? 'baseline';
  if (!['baseline', 'paired', 'cost', 'method'].includes(mode)) throw new UsageError(`--mode ${mode}: expected baseline, paired, cost or method`);
  const alpha = values.alpha === undefined ? 0.01 : Number(values.alpha);
  if (!(alpha > 0 && alpha < 1)) throw new UsageError(`--alpha ${values.alpha}: expected a number between 0 and 1`);
  const git = gitInfo();
  const runId = newRunId(git.sha);
  const outDir = repoPath('results', runId);
  const out = values.out ?? repoPath('docs', 'GATE.md');
  const duration = values.duration ?? '5s';
  const pin = values.pin === true;
  await mkdir(outDir, { recursive: true });
  const started = Date.now();
  const loadStart = loadAverage();
  const machine = machineInfo();
  const finished = (): { wallS: number; load: { start: string; end: string } } => ({ wallS: (Date.now() - started) / 1000, load: { start: loadStart, end: loadAverage() } });
  const command = `npm run gate:accuracy -- ${process.argv.slice(2).join(' ')}`.trim();

  if (mode === 'method') {
    const doc = await readFile(out, 'utf8');
    await writeFile(out, replaceGeneratedSection(doc, 'method', renderMethodSection(alpha)));
    process.stdout.write(`wrote the method section of ${out}\n`);
    return 0;
  }

  if (mode === 'baseline') {
    const opts = {
      scenario: values.scenario ?? 'sse/sustained',
      poolRuns: positiveInt('--pool', values.pool, 40),
      aaTrials: positiveInt('--aa', values.aa, 100),
      faultTrials: positiveInt('--trials', values.trials, 20),
      repeat: positiveInt('--repeat', values.repeat, 3),
      baselineRuns: positiveInt('--baseline-runs', values['baseline-runs'], 5),
      duration,
      alpha,
      faults: values.faults === 'none' ? [] : faultPlans((values.faults ?? 'delay,mem').split(','), shares('--sizes', values.sizes ?? '0.1')),
      runId,
      outDir,
      seed: 1,
      pin,
      loaded: values['loaded-pool'] ? { runs: positiveInt('--loaded-pool', values['loaded-pool'], 0), busyThreads: positiveInt('--busy-threads', values['busy-threads'], 1) } : undefined,
      log,
    };
    const result = await measureAccuracy(opts);
    const { wallS, load } = finished();
    await writeFile(`${outDir}/accuracy-baseline.json`, `${JSON.stringify({ options: { ...opts, faults: undefined, log: undefined }, result, load }, null, 2)}\n`);
    const gate = values['gate-report'] ? (JSON.parse(await readFile(values['gate-report'], 'utf8')) as GateReport) : null;
    await writeSection(out, 'accuracy-baseline', renderAccuracyDoc({ result, options: opts, wallS, machine, git, runId, gate, load, command }), alpha);
    return 0;
  }

  if (mode === 'paired') {
    const scenario = values.scenario ?? 'sse/sustained';
    const poolSize = positiveInt('--pool', values.pool, 20);
    const gates = positiveInt('--gates', values.gates, 100);
    const minPairs = positiveInt('--min-pairs', values['min-pairs'], PAIRED_DEFAULTS.minPairs);
    const maxPairs = Math.min(poolSize, positiveInt('--max-pairs', values['max-pairs'], PAIRED_DEFAULTS.maxPairs));
    const plan = (values.regressions ?? 'sse-delay:0.1,sse-delay:0.25,sse-alloc:0.1').split(',').map((item) => {
      const [name, raw] = item.split(':');
      const regression = CODE_REGRESSIONS[name ?? ''];
      if (!regression?.sizeFor) throw new UsageError(`--regressions ${item}: unknown or unsized regression; sized ones: ${Object.values(CODE_REGRESSIONS).filter((r) => r.sizeFor).map((r) => r.name).join(', ')}`);
      if (regression.scenario !== scenario) throw new UsageError(`--regressions ${item}: it edits ${regression.scenario}'s target, not ${scenario}'s`);
      return { regression, share: shares('--regressions', raw ?? '') [0] as number };
    });
    const a = await checkoutRef('HEAD', 'accuracy-a');
    const b = await checkoutRef('HEAD', 'accuracy-b');
    try {
      const pool = async (label: string): Promise<PairedArm['pool']> => {
        log(`${label}: ${poolSize} pairs of ${scenario}`);
        return measurePairPool({ scenario, rootA: a.path, rootB: b.path, pairs: poolSize, duration, runId, outDir: `${outDir}/${label.replace(/[^a-z0-9.+-]+/gi, '_')}`, pin, log });
      };
      const trialOpts = { trials: gates, alpha, minPairs, maxPairs, seed: 1 };
      const aaPool = await pool('A-A');
      const arms: PairedArm[] = [{ label: 'A/A (unchanged)', metric: null, change: 'none', pool: aaPool, trials: await drawPairedGates(scenario, aaPool, trialOpts) }];
      const medians = poolMedians(aaPool);
      log(`A/A pool medians: ${JSON.stringify(medians)}`);
      for (const { regression, share } of plan) {
        const size = regression.sizeFor?.(share, medians) ?? 0;
        const label = `${regression.name} +${Math.round(share * 100)}% ${DEFAULT_GATED[regression.metric] ? regression.metric : ''}`.trim();
        await prepareSideB(b.path, regression, size);
        const armPool = await pool(label);
        arms.push({ label, metric: regression.metric, change: `${size.toPrecision(3)} ${regression.unit}`, pool: armPool, trials: await drawPairedGates(scenario, armPool, trialOpts) });
      }
      const { wallS, load } = finished();
      const summary = arms.map((arm) => ({ label: arm.label, metric: arm.metric, change: arm.change, pairs: arm.pool.length, trials: arm.trials }));
      await writeFile(`${outDir}/accuracy-paired.json`, `${JSON.stringify({ scenario, duration, poolSize, gates, minPairs, maxPairs, alpha, medians, arms: summary, load }, null, 2)}\n`);
      const body = renderPairedAccuracy({ scenario, duration, arms, minPairs, maxPairs, alpha, runId, sha: git.sha, machine: machine.class, load, wallS, command });
      await writeSection(out, 'accuracy-paired', body, alpha);
    } finally {
      await a.remove();
      await b.remove();
    }
    return 0;
  }

  const target = values.target ?? 'sse';
  if (!isTargetName(target)) throw new UsageError(`--target ${target}: not a reference target`);
  const regression = CODE_REGRESSIONS[values.regression ?? 'sse-loop'];
  if (!regression || regression.metric !== 'instructions_per_op') throw new UsageError(`--regression ${values.regression}: expected a loop regression (${Object.values(CODE_REGRESSIONS).filter((r) => r.metric === 'instructions_per_op').map((r) => r.name).join(', ')})`);
  const a = await checkoutRef('HEAD', 'accuracy-a');
  const b = await checkoutRef('HEAD', 'accuracy-b');
  try {
    const result = await measureCostAccuracy({
      target,
      rootA: a.path,
      rootB: b.path,
      regression,
      shares: shares('--sizes', values.sizes ?? '0.05,0.1'),
      figures: positiveInt('--figures', values.figures, 10),
      perGate: positiveInt('--per-gate', values['per-gate'], 2),
      trials: positiveInt('--gates', values.gates, 100),
      seed: 1,
      log,
    });
    const { wallS, load } = finished();
    await writeFile(`${outDir}/accuracy-cost.json`, `${JSON.stringify({ result, load }, null, 2)}\n`);
    await writeSection(out, 'accuracy-cost', renderCostAccuracy({ result, runId, sha: git.sha, machine: machine.class, load, wallS, command }), alpha);
  } finally {
    await a.remove();
    await b.remove();
  }
  return 0;
});
