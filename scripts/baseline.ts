/** `npm run baseline`: re-measures the gate suite and rewrites baselines/*.json from several runs. */
import { parseCli, positiveInt, runMain } from './lib/cli.ts';
import { gitInfo } from './lib/repo.ts';
import { newRunId } from './lib/run-id.ts';
import { runScenario } from './lib/run-scenario.ts';
import { baselineFromRuns, writeBaseline } from './lib/gate/baseline-file.ts';
import { selectScenarios } from './lib/gate/suite.ts';
import type { RunResult } from '../reporters/run-result.ts';

const USAGE = `
usage: npm run baseline -- [options]

Runs each scenario N times against the reference targets of this working tree and writes
baselines/<target>-<profile>.json with every run's gated figures, the machine class, the k6 version
and the git sha. Refuses to write a baseline when a run is invalid. Commit the files it writes.

options:
  --only GLOB     scenarios, e.g. 'sse/*' (default: every scenario except soak profiles)
  --repeat N      runs per scenario (default 5; at least 3)
  --duration D    load-phase length for every run (default: each scenario's own); the gate reuses it
  --run-id ID     results folder name (default: time-sha-random)
  -h, --help      this text
`;

runMain(async () => {
  const { values } = parseCli(USAGE, {
    only: { type: 'string' },
    repeat: { type: 'string' },
    duration: { type: 'string' },
    'run-id': { type: 'string' },
  });
  const repeat = positiveInt('--repeat', values.repeat, 5);
  if (repeat < 3) throw new Error(`--repeat ${repeat}: a baseline needs at least 3 runs to estimate run-to-run noise`);
  const scenarios = selectScenarios(values.only, 'baseline');
  const runId = values['run-id'] ?? newRunId(gitInfo().sha);
  const runs = new Map<string, RunResult[]>(scenarios.map((s) => [s, []]));
  process.stderr.write(`baseline ${runId}: ${scenarios.join(', ')} × ${repeat}\n`);
  for (let i = 1; i <= repeat; i++) {
    for (const scenario of scenarios) {
      const run = await runScenario({ scenario, runId, repeat: i, duration: values.duration });
      process.stderr.write(`  ${scenario} run ${i}/${repeat}: ${run.valid ? 'valid' : `INVALID (${run.invalidReasons.join('; ')})`}\n`);
      runs.get(scenario)?.push(run);
    }
  }
  let failed = 0;
  for (const scenario of scenarios) {
    try {
      const file = await writeBaseline(baselineFromRuns(runs.get(scenario) ?? [], values.duration ?? null));
      process.stdout.write(`wrote ${file}\n`);
    } catch (err) {
      failed += 1;
      process.stderr.write(`${scenario}: ${(err as Error).message}\n`);
    }
  }
  return failed > 0 ? 2 : 0;
});
