/** `npm run cost`: deterministic instructions per operation of a target, counted under valgrind. */
import { parseCli, parseEnvPairs, positiveInt, runMain, UsageError } from './lib/cli.ts';
import { costResultLine } from './lib/cost/format.ts';
import { writeCostBaseline } from './lib/gate/cost-baseline.ts';
import { probeCost, type CostResult } from './lib/cost/probe.ts';
import { isTargetName, TARGETS, type TargetName } from './lib/target-registry.ts';

const USAGE = `
usage: npm run cost -- <target...|all> [options]

Counts the instructions a target executes per operation (${Object.keys(TARGETS).join(', ')}), under
valgrind (cachegrind, no cache simulation), on a fixed, seeded, closed-loop workload through its real protocol.
Each figure is the difference of two runs, a small and a large workload, divided by the difference of their
operations: start-up, warm-up, idle and shutdown cancel out. Deterministic: repeats agree within about 0.1%
whatever the machine's load (docs/GATE.md "Deterministic cost per operation"). Progress goes to stderr.

options:
  --repeat N          figures per target (default 3); each takes two valgrind runs of 10-60 s
  --json              print {target, instructionsPerOp, runs, spread, facts, ...} (an array for several targets)
  --write-baseline    write baselines/cost-<target>.json, the reference of the gate in baseline mode
                      (use --repeat 5 or more: its margin comes from the spread of these runs)
  --parallel          run each figure's two valgrind runs at the same time (about half the wall time on
                      2+ CPUs; the counts are the same)
  --keep              keep cachegrind's output files and the target logs (for cg_annotate / cg_diff)
  -e, --env K=V       target environment variable (repeatable), e.g. -e TIDEMARK_FAULT_CPU_LOOPS=1000
  -h, --help          this text

Exit code: 0 done, 2 bad arguments or a failed run (valgrind missing: run \`npm run setup\`).
`;

function targetsFrom(positionals: string[]): TargetName[] {
  if (positionals.length === 0) throw new UsageError('name a target (or all): npm run cost -- jsonrpc');
  const names = positionals.includes('all') ? Object.keys(TARGETS) : positionals;
  return names.map((name) => {
    if (!isTargetName(name)) throw new UsageError(`unknown target ${JSON.stringify(name)}: expected ${Object.keys(TARGETS).join(', ')} or all`);
    return name;
  });
}

runMain(async () => {
  const { values, positionals } = parseCli(USAGE, {
    repeat: { type: 'string' },
    json: { type: 'boolean' },
    'write-baseline': { type: 'boolean' },
    keep: { type: 'boolean' },
    parallel: { type: 'boolean' },
    env: { type: 'string', short: 'e', multiple: true },
  });
  const targets = targetsFrom(positionals);
  const repeat = positiveInt('--repeat', values.repeat, 3);
  const env = parseEnvPairs(values.env);
  const results: CostResult[] = [];
  for (const target of targets) {
    process.stderr.write(`cost ${target}: ${repeat} figure(s), two valgrind runs each\n`);
    const result = await probeCost({ target, repeat, env, keepFiles: values.keep === true, parallel: values.parallel === true });
    results.push(result);
    if (values['write-baseline']) {
      if (Object.keys(env).length > 0) throw new UsageError('--write-baseline with -e: a baseline must measure the target as it is, without fault knobs');
      const file = await writeCostBaseline(result);
      process.stderr.write(`cost ${target}: wrote ${file}\n`);
    }
    if (!values.json) process.stdout.write(`${costResultLine(result)}\n`);
  }
  if (values.json) process.stdout.write(`${JSON.stringify(results.length === 1 ? results[0] : results, null, 2)}\n`);
  return 0;
});
