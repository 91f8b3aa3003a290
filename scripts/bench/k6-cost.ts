/**
 * Benchmark (not a test): k6's own CPU per message of a scenario, with its start-up and shutdown taken out by the
 * difference of a short and a long run at the same load (issue 17: the instrument must not be the bottleneck).
 *   npx tsx scripts/bench/k6-cost.ts --scenario broker/sustained [--short 5s] [--long 20s] [--rounds 2] [-e K=V ...]
 * k6's CPU is the schedstat sum over its threads (RunResult.conditions.k6.cpuMs); the messages are k6's own
 * counters (WebSocket frames sent and received, SSE events), read from the run's metrics.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { median } from 'simple-statistics';
import type { RunResult } from '../../reporters/run-result.ts';
import { parseCli, parseEnvPairs, positiveInt, runMain, UsageError } from '../lib/cli.ts';
import { loadAverage } from '../lib/machine.ts';
import { gitInfo, repoPath } from '../lib/repo.ts';
import { newRunId } from '../lib/run-id.ts';
import { runScenario } from '../lib/run-scenario.ts';

const USAGE = `
usage: npx tsx scripts/bench/k6-cost.ts --scenario S [options]

Runs the scenario at a short and a long load phase, interleaved, and prints k6's CPU per message from the
differences (long − short), so that k6's start-up and shutdown cancel out.

options:
  --scenario S   scenario, e.g. broker/sustained
  --short D      the short run's load phase (default 5s)
  --long D       the long run's load phase (default 20s)
  --rounds N     short/long pairs (default 2); the figure is the median over them
  -e K=V         k6 variable for every run, e.g. -e BROKER_RATE=1000 (repeatable)
  -h, --help     this text
`;

/** k6 counters that are messages k6 handles itself, whichever protocol the scenario speaks. */
const MESSAGE_COUNTERS = ['ws_msgs_sent', 'ws_msgs_received', 'sse_event'] as const;

function messages(run: RunResult): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of MESSAGE_COUNTERS) counts[name] = run.metrics[name]?.count ?? 0;
  return counts;
}

const total = (counts: Record<string, number>): number => Object.values(counts).reduce((s, x) => s + x, 0);

function k6CpuMs(run: RunResult): number {
  const ms = run.conditions?.k6?.cpuMs;
  if (ms === undefined) throw new Error(`run ${run.repeat} of ${run.scenario}: no k6 CPU reading`);
  return ms;
}

runMain(async () => {
  const { values } = parseCli(USAGE, {
    scenario: { type: 'string' },
    short: { type: 'string' },
    long: { type: 'string' },
    rounds: { type: 'string' },
    env: { type: 'string', short: 'e', multiple: true },
  });
  const scenario = values.scenario;
  if (!scenario) throw new UsageError('--scenario is required');
  const k6Vars = parseEnvPairs(values.env);
  const rounds = positiveInt('--rounds', values.rounds, 2);
  const shortD = values.short ?? '5s';
  const longD = values.long ?? '20s';
  const runId = newRunId(gitInfo().sha);
  const outDir = repoPath('results', runId);
  await mkdir(outDir, { recursive: true });
  const loadStart = loadAverage();
  const perMessageUs: number[] = [];
  const rows: string[] = [];
  let repeat = 0;
  const run = (duration: string): Promise<RunResult> => runScenario({ scenario, runId, outDir, repeat: ++repeat, duration, k6Vars, log: () => {} });
  for (let r = 1; r <= rounds; r++) {
    // Alternate which length goes first, so that neither always meets a cold or a warm machine.
    const shortFirst = r % 2 === 1;
    const first = await run(shortFirst ? shortD : longD);
    const second = await run(shortFirst ? longD : shortD);
    const [short, long] = shortFirst ? [first, second] : [second, first];
    const cpu = k6CpuMs(long) - k6CpuMs(short);
    const msgs = total(messages(long)) - total(messages(short));
    const us = (cpu * 1000) / msgs;
    perMessageUs.push(us);
    rows.push(
      `round ${r}: short ${k6CpuMs(short).toFixed(0)} ms / ${total(messages(short))} messages (${short.valid ? 'valid' : 'INVALID'}), ` +
        `long ${k6CpuMs(long).toFixed(0)} ms / ${total(messages(long))} messages (${long.valid ? 'valid' : `INVALID: ${long.invalidReasons.join('; ')}`}; ${JSON.stringify(messages(long))}), ` +
        `achieved ${long.load?.achievedRate?.toFixed(0) ?? '?'}/s: ${us.toFixed(1)} µs of k6 CPU per message`,
    );
    process.stderr.write(`${rows.at(-1)}\n`);
  }
  const summary = { scenario, k6Vars, rounds, loadStart, loadEnd: loadAverage(), perMessageUs, medianUs: median(perMessageUs), rows };
  await writeFile(`${outDir}/k6-cost.json`, `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(`${scenario} ${JSON.stringify(k6Vars)}: k6 CPU per message ${summary.medianUs.toFixed(1)} µs (median of ${rounds}: ${perMessageUs.map((u) => u.toFixed(1)).join(', ')}); load ${loadStart} → ${summary.loadEnd}\nraw: results/${runId}/k6-cost.json\n`);
  return 0;
});
