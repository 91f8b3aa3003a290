/** `npm run scenario -- <target>/<profile>`: one scenario against a reference target (or yours), with a run result. */
import { parseCli, parseEnvPairs, positiveInt, runMain, shownPath, UsageError } from './lib/cli.ts';
import { runBackendComparison } from './lib/backend-compare-run.ts';
import { renderComparisonTable } from '../reporters/backend-table.ts';
import { BROKER_BACKENDS, DEFAULT_BROKER_BACKEND } from '../targets/broker/backend-choice.ts';
import { parseBackendFlag } from './lib/backend-flag.ts';
import { gitInfo } from './lib/repo.ts';
import { newRunId } from './lib/run-id.ts';
import { runScenario } from './lib/run-scenario.ts';
import { listScenarios } from './lib/scenario-name.ts';
import { renderRunTable } from '../reporters/run-table.ts';

const USAGE = `
usage: npm run scenario -- <target>/<profile> [options]

Starts the reference target (unless --url), runs the k6 scenario, samples the target's CPU and RSS,
writes results/<runId>/<target>-<profile>.json and prints a table. Exit code: 0 thresholds met,
1 a threshold failed, 2 the run was invalid or the harness failed.

options:
  --duration D    load-phase length (30s, 2m); default: the scenario's own
  --url URL       load a target that is already running at URL (loopback only) instead of starting one
  --influx URL    also record to InfluxDB 1.x, e.g. http://127.0.0.1:8086/k6 (credentials:
                  TIDEMARK_INFLUX_USERNAME / TIDEMARK_INFLUX_PASSWORD)
  --repeat N      run N times in a row (default 1)
  --segments N    split the load across N k6 processes (k6 execution segments, tagged instance=<i>) and
                  merge them into one run result; percentiles come from every raw sample (default 1)
  --run-id ID     results folder name (default: time-sha-random)
  --pin           pin k6 and the target to separate CPUs with taskset (2 CPUs: k6 on 0, target on 1);
                  default off, or TIDEMARK_PIN=1 / TIDEMARK_PIN="target=1;k6=0" (docs/GATE.md, "Noise controls")
  -e, --env K=V   pass a variable to the k6 script (repeatable), e.g. -e SSE_CONNECTIONS=200; not secrets
                  (TIDEMARK_AUTH_TOKEN, *TOKEN*, *PASSWORD*, *SECRET*): export those in the environment
  --backend B     broker scenarios: the broker's backend, ${BROKER_BACKENDS.join(', ')} (default ${DEFAULT_BROKER_BACKEND}).
                  A list (--backend memory,rabbitmq,mqtt) compares them: the same load on each, interleaved,
                  --repeat times (default 3), each backend also without correlation ids and without acks;
                  writes results/<runId>/backends.json and backends.md and prints the table. Start the
                  servers first: npm run backend -- start all
  --max-rate-steps N  with a backend list: then search each backend's highest valid rate in at most N
                  short runs (doubling from BROKER_RATE, then bisecting; default 8, 0 skips)
  -h, --help      this text

scenarios: ${listScenarios().join(', ')}
`;

runMain(async () => {
  const { values, positionals } = parseCli(USAGE, {
    duration: { type: 'string' },
    url: { type: 'string' },
    influx: { type: 'string' },
    repeat: { type: 'string' },
    segments: { type: 'string' },
    'run-id': { type: 'string' },
    pin: { type: 'boolean' },
    env: { type: 'string', short: 'e', multiple: true },
    backend: { type: 'string' },
    'max-rate-steps': { type: 'string' },
  });
  const scenario = positionals[0];
  if (positionals.length !== 1 || scenario === undefined) throw new Error(`expected one scenario name\n${USAGE}`);
  const backends = values.backend === undefined ? [] : parseBackendFlag(values.backend);
  const comparing = backends.length > 1;
  const repeat = positiveInt('--repeat', values.repeat, comparing ? 3 : 1);
  const segments = positiveInt('--segments', values.segments, 1);
  const k6Vars = parseEnvPairs(values.env);
  const runId = values['run-id'] ?? newRunId(gitInfo().sha);
  if (comparing) {
    if (values.url || segments > 1) throw new UsageError('a backend comparison starts its own broker targets: drop --url and --segments');
    const { comparison, file } = await runBackendComparison({
      scenario, runId, backends, repeat, k6Vars,
      maxRateSteps: values['max-rate-steps'] === '0' ? 0 : positiveInt('--max-rate-steps', values['max-rate-steps'], 8),
      ...(values.duration ? { duration: values.duration } : {}),
      ...(values.influx ? { influx: values.influx } : {}),
      ...(values.pin ? { pin: true } : {}),
    });
    process.stdout.write(`${renderComparisonTable(comparison)}\ncomparison: ${shownPath(file)}\n`);
    return comparison.backends.every((b) => b.validRuns === b.runs && b.lost.count === 0) ? 0 : 2;
  }
  const backend = backends[0];
  let worst = 0;
  for (let i = 1; i <= repeat; i++) {
    const run = await runScenario({
      scenario,
      runId,
      ...(repeat > 1 ? { repeat: i } : {}),
      ...(values.duration ? { duration: values.duration } : {}),
      ...(values.url ? { url: values.url } : {}),
      ...(values.influx ? { influx: values.influx } : {}),
      ...(segments > 1 ? { segments } : {}),
      ...(values.pin ? { pin: true } : {}),
      ...(backend === undefined ? {} : { backend }),
      k6Vars,
    });
    process.stdout.write(`${renderRunTable(run)}\n`);
    const code = !run.valid ? 2 : run.thresholds.some((t) => !t.ok) ? 1 : 0;
    worst = Math.max(worst, code);
  }
  process.stdout.write(`results: results/${runId}/\n`);
  return worst;
});
