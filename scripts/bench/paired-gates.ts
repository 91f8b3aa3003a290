/**
 * Benchmark (not a test): N real end-to-end paired gates of an unchanged tree, one after the other, each exactly
 * what `npm run gate -- --against <ref>` runs (its own worktree, warm-ups, adaptive looks), counted for false
 * alarms: any primary figure called a regression or an improvement (docs/GATE.md "Accuracy in paired mode").
 *   npx tsx scripts/bench/paired-gates.ts [--gates 20] [--only sse/sustained] [--duration 5s] [--max-pairs 6]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import type { GateReport, MetricVerdict } from '../../reporters/gate-report.ts';
import { parseCli, positiveInt, runMain } from '../lib/cli.ts';
import { runGate } from '../lib/gate/run-gate.ts';
import { loadAverage } from '../lib/machine.ts';
import { gitInfo, repoPath } from '../lib/repo.ts';
import { newRunId } from '../lib/run-id.ts';

const USAGE = `
usage: npx tsx scripts/bench/paired-gates.ts [options]

Runs N paired gates of the working tree against a ref (default HEAD: an unchanged tree when the tree is
clean), as \`npm run gate -- --against REF\` does, and counts their verdicts per figure.

options:
  --gates N       gates to run (default 20)
  --against REF   the A side (default HEAD)
  --only GLOB     scenarios (default sse/sustained)
  --duration D    load phase per run (default 5s)
  --max-pairs N   most pairs per scenario (default 6: looks at 3 and 6)
  --with-cost     also the cost probes (default: skipped; their A/A is arithmetic, docs/GATE.md)
  -h, --help      this text
`;

/** What one gate said, per primary figure: the verdicts that are false alarms on an unchanged tree, and the rest. */
interface GateOutcome {
  runId: string;
  exitCode: number;
  verdict: GateReport['verdict'];
  wallTimeS: number;
  pairs: number;
  falseAlarms: string[];
  undecided: string[];
  loadAverage: string;
}

function outcomeOf(report: GateReport, load: string): GateOutcome {
  const primary = report.scenarios.flatMap((s) => s.metrics.filter((m) => m.role === 'primary').map((m) => ({ ...m, scenario: s.scenario })));
  const named = (verdicts: MetricVerdict[]): string[] => primary.filter((m) => verdicts.includes(m.verdict)).map((m) => `${m.scenario} ${m.metric} ${m.verdict}`);
  return {
    runId: report.runId,
    exitCode: report.exitCode,
    verdict: report.verdict,
    wallTimeS: report.wallTimeS,
    pairs: report.repeat,
    falseAlarms: named(['regression', 'improvement']),
    undecided: named(['undecided', 'insufficient']),
    loadAverage: load,
  };
}

runMain(async () => {
  const { values } = parseCli(USAGE, {
    gates: { type: 'string' },
    against: { type: 'string' },
    only: { type: 'string' },
    duration: { type: 'string' },
    'max-pairs': { type: 'string' },
    'with-cost': { type: 'boolean' },
  });
  const gates = positiveInt('--gates', values.gates, 20);
  const git = gitInfo();
  const batch = newRunId(git.sha);
  const outDir = repoPath('results', batch);
  await mkdir(outDir, { recursive: true });
  const outcomes: GateOutcome[] = [];
  const loadStart = loadAverage();
  for (let g = 1; g <= gates; g++) {
    const load = loadAverage();
    const report = await runGate({
      only: values.only ?? 'sse/sustained',
      against: values.against ?? 'HEAD',
      duration: values.duration ?? '5s',
      maxPairs: positiveInt('--max-pairs', values['max-pairs'], 6),
      cost: values['with-cost'] ? 'with' : 'skip',
      alpha: 0.01,
      allowMachineMismatch: false,
      runId: `${batch}-g${g}`,
      log: () => {},
    });
    const outcome = outcomeOf(report, load);
    outcomes.push(outcome);
    process.stderr.write(`gate ${g}/${gates}: ${outcome.verdict} (exit ${outcome.exitCode}), ${outcome.pairs} pairs, ${outcome.wallTimeS.toFixed(0)} s; false alarms: ${outcome.falseAlarms.join(', ') || 'none'}\n`);
  }
  const alarms = outcomes.filter((o) => o.falseAlarms.length > 0).length;
  const summary = {
    command: `npx tsx scripts/bench/paired-gates.ts ${process.argv.slice(2).join(' ')}`.trim(),
    commit: git.sha,
    loadStart,
    loadEnd: loadAverage(),
    gates: outcomes.length,
    withFalseAlarm: alarms,
    undecided: outcomes.filter((o) => o.verdict === 'undecided').length,
    exitCodes: outcomes.map((o) => o.exitCode),
    outcomes,
  };
  await writeFile(`${outDir}/paired-gates.json`, `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(`${alarms} of ${outcomes.length} gates with a false alarm; ${summary.undecided} undecided; load ${summary.loadStart} → ${summary.loadEnd}\nraw: results/${batch}/paired-gates.json\n`);
  return alarms > 0 ? 1 : 0;
});
