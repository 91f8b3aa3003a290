/** `npm run gate:accuracy`: measures the gate's false-alarm and detection rates and writes docs/GATE.md. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { parseCli, positiveInt, runMain } from './lib/cli.ts';
import { gitInfo, repoPath } from './lib/repo.ts';
import { machineInfo } from './lib/machine.ts';
import { newRunId } from './lib/run-id.ts';
import { measureAccuracy, type FaultPlan } from './lib/gate/accuracy.ts';
import { renderAccuracyDoc } from './lib/gate/accuracy-doc.ts';
import type { GateReport } from '../reporters/gate-report.ts';

const USAGE = `
usage: npm run gate:accuracy -- [options]

Runs a pool of unchanged runs, A/A gates drawn from it, and gates with regressions injected through the
fault knobs (delay sized to +X% p95, CPU burn sized to +X% CPU per operation, memory sized to +X% RSS per
connection), all decided by the gate's real decision rule. Writes docs/GATE.md and
results/<runId>/accuracy.json. Takes long: (pool + faults × sizes × trials × repeat) runs.

options:
  --scenario S       scenario to measure (default sse/sustained)
  --pool N           unchanged runs in the pool (default 40)
  --aa N             A/A trials drawn from the pool (default 100)
  --trials N         injected trials per fault and size (default 20)
  --repeat N         runs per gate, as the gate's --repeat (default 3)
  --baseline-runs N  baseline runs per trial (default 5)
  --sizes LIST       injected sizes as shares, e.g. 0.1,0.25 (default 0.1)
  --faults LIST      delay,cpu,mem (default all three)
  --duration D       load phase per run (default 5s)
  --alpha A          Holm family-wise error rate (default 0.01)
  --gate-report F    a report.json of a real \`npm run gate\` whose wall time goes in the doc
  --out FILE         where to write the document (default docs/GATE.md)
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
      } else if (kind === 'cpu') {
        plans.push({ name: `cpu ${pct} per op`, metric: 'cpu_ms_per_op', env: (m) => ({ TIDEMARK_FAULT_CPU_US: String(Math.max(1, Math.round((m.cpu_ms_per_op ?? 0) * 1000 * size))) }) });
      } else if (kind === 'mem') {
        plans.push({ name: `mem ${pct} per connection`, metric: 'rss_per_connection_kb', env: (m) => ({ TIDEMARK_FAULT_MEM_KB: Math.max(1, Math.round((m.rss_per_connection_kb ?? 0) * size)).toString() }) });
      } else {
        throw new Error(`--faults: unknown fault ${kind}; use delay, cpu, mem`);
      }
    }
  }
  return plans;
}

runMain(async () => {
  const { values } = parseCli(USAGE, {
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
  });
  const sizes = (values.sizes ?? '0.1').split(',').map(Number);
  if (sizes.some((s) => !(s > 0 && s < 10))) throw new Error(`--sizes ${values.sizes}: expected shares such as 0.1,0.25`);
  const alpha = values.alpha === undefined ? 0.01 : Number(values.alpha);
  const git = gitInfo();
  const runId = newRunId(git.sha);
  const outDir = repoPath('results', runId);
  await mkdir(outDir, { recursive: true });
  const started = Date.now();
  const opts = {
    scenario: values.scenario ?? 'sse/sustained',
    poolRuns: positiveInt('--pool', values.pool, 40),
    aaTrials: positiveInt('--aa', values.aa, 100),
    faultTrials: positiveInt('--trials', values.trials, 20),
    repeat: positiveInt('--repeat', values.repeat, 3),
    baselineRuns: positiveInt('--baseline-runs', values['baseline-runs'], 5),
    duration: values.duration ?? '5s',
    alpha,
    faults: faultPlans((values.faults ?? 'delay,cpu,mem').split(','), sizes),
    runId,
    outDir,
    seed: 1,
    log: (line: string) => process.stderr.write(`${line}\n`),
  };
  const result = await measureAccuracy(opts);
  const wallS = (Date.now() - started) / 1000;
  await writeFile(`${outDir}/accuracy.json`, `${JSON.stringify({ options: { ...opts, faults: undefined, log: undefined }, result }, null, 2)}\n`);
  const gate = values['gate-report'] ? (JSON.parse(await readFile(values['gate-report'], 'utf8')) as GateReport) : null;
  const doc = renderAccuracyDoc({ result, options: opts, wallS, machine: machineInfo(), git, runId, gate });
  const out = values.out ?? repoPath('docs', 'GATE.md');
  await writeFile(out, doc);
  process.stdout.write(`wrote ${out} (raw: results/${runId}/accuracy.json)\n`);
  return 0;
});
