/** `npm run gate`: runs the gate suite and compares it with baselines (or, paired, with another git ref). */
import { parseCli, parseEnvPairs, positiveInt, runMain, UsageError } from './lib/cli.ts';
import { PAIRED_DEFAULTS } from './lib/gate/looks.ts';
import { runGate } from './lib/gate/run-gate.ts';
import { BROKER_BACKENDS, DEFAULT_BROKER_BACKEND, type BrokerBackendName } from '../targets/broker/backend-choice.ts';
import { parseBackendFlag } from './lib/backend-flag.ts';

const USAGE = `
usage: npm run gate -- [options]

Runs every scenario that has a committed baseline (baselines/*.json) N times and compares the runs with
the baseline; or, with --against, runs the targets of <git-ref> (A) and of this working tree (B) in pairs
(A B, B A, A B, ...: the order alternates within pairs) and compares them pairwise, adding pairs until
every primary figure is decided, --max-pairs is reached or the --budget would be exceeded.
Writes results/<runId>/report.md, report.json and every run result.
Each target of the gated scenarios is also probed for instructions per operation under valgrind
(\`<target>/cost\`, docs/GATE.md "Deterministic cost per operation"): against baselines/cost-<target>.json, or
with --against, A and B interleaved; these probes run before the load runs.
Verdicts per primary figure: regression, improved, ok (the interval lies inside the margin) or undecided
(the runs could not tell); advisory figures are shown, never decided. Exit code: 0 pass or undecided
(the summary line lists what stayed undecided), 1 regression, 2 invalid run or harness error.

options:
  --only GLOB                scenarios to gate, e.g. 'sse/*' or 'sse/sustained,sse/churn'; soak
                             scenarios run only when named ('sse/soak', '*/soak'): they need no
                             baseline and are held to the RSS slope limit (docs/RELIABILITY.md)
  --repeat N                 runs per scenario against baselines (default 3; baselines hold 5 or more);
                             with --against, exactly N pairs instead of adding pairs until decided
  --against REF              paired A/B mode against a git ref (branch, tag or sha)
  --min-pairs N              --against: pairs before the first look and between looks (default ${PAIRED_DEFAULTS.minPairs})
  --max-pairs N              --against: most pairs per scenario, the last look (default ${PAIRED_DEFAULTS.maxPairs})
  --budget D                 --against: wall time of the whole gate, e.g. 10m, 900s (default ${PAIRED_DEFAULTS.budgetS / 60}m);
                             pairs past the first look start only when the next look fits in it
  --influx URL               also record runs and verdicts, e.g. http://127.0.0.1:8086/k6
  --duration D               override the load-phase length of every scenario (default: the scenario's;
                             ${PAIRED_DEFAULTS.duration} with --against, soaks excepted)
  --alpha A                  family-wise error rate for the Holm procedure (default 0.01)
  --allow-machine-mismatch   compare with a baseline taken on another machine class
  --run-id ID                results folder name (default: time-sha-random)
  --cost-only                only the cost probes (instructions per operation), no load runs
  --skip-cost                no cost probes (e.g. where valgrind is not installed)
  --cost-repeat N            cost figures per side, two valgrind runs each (default 1 where the committed
                             cost baseline gives the margin, else 2)
  --pin                      pin k6 and each target to separate CPUs with taskset (2 CPUs: k6 on 0,
                             target on 1); default off, or TIDEMARK_PIN=1 (docs/GATE.md, "Noise controls")
  --backend B                the broker's backend in broker scenarios (${BROKER_BACKENDS.join(', ')}; default
                             ${DEFAULT_BROKER_BACKEND}), both sides of a paired gate; other than ${DEFAULT_BROKER_BACKEND} only with --against
                             (the committed broker baselines are the in-memory backend's). Start its server
                             first: npm run backend -- start rabbitmq|mosquitto
  -e, --env K=V              target environment variable for B / current runs (repeatable); used to
                             show that the gate catches a known fault, e.g. -e TIDEMARK_FAULT_DELAY_MS=2
                             (not secrets such as TIDEMARK_AUTH_TOKEN: export those in the environment)
  -h, --help                 this text
`;

runMain(async () => {
  const { values } = parseCli(USAGE, {
    only: { type: 'string' },
    repeat: { type: 'string' },
    against: { type: 'string' },
    influx: { type: 'string' },
    duration: { type: 'string' },
    alpha: { type: 'string' },
    'allow-machine-mismatch': { type: 'boolean' },
    'run-id': { type: 'string' },
    'min-pairs': { type: 'string' },
    'max-pairs': { type: 'string' },
    budget: { type: 'string' },
    pin: { type: 'boolean' },
    'cost-only': { type: 'boolean' },
    'skip-cost': { type: 'boolean' },
    'cost-repeat': { type: 'string' },
    env: { type: 'string', short: 'e', multiple: true },
    backend: { type: 'string' },
  });
  const alpha = values.alpha === undefined ? 0.01 : Number(values.alpha);
  if (!(alpha > 0 && alpha < 1)) throw new Error(`--alpha ${values.alpha}: expected a number between 0 and 1`);
  const targetEnv = parseEnvPairs(values.env);
  if (values['cost-only'] && values['skip-cost']) throw new UsageError('--cost-only and --skip-cost exclude each other');
  const report = await runGate({
    only: values.only,
    repeat: values.repeat === undefined ? undefined : positiveInt('--repeat', values.repeat, 3),
    against: values.against,
    minPairs: positiveInt('--min-pairs', values['min-pairs'], PAIRED_DEFAULTS.minPairs),
    maxPairs: positiveInt('--max-pairs', values['max-pairs'], PAIRED_DEFAULTS.maxPairs),
    budgetS: durationSeconds('--budget', values.budget, PAIRED_DEFAULTS.budgetS),
    influx: values.influx,
    duration: values.duration,
    alpha,
    allowMachineMismatch: values['allow-machine-mismatch'] === true,
    runId: values['run-id'],
    targetEnv,
    ...(values.pin ? { pin: true } : {}),
    cost: values['cost-only'] ? 'only' : values['skip-cost'] ? 'skip' : 'with',
    costRepeat: values['cost-repeat'] === undefined ? undefined : positiveInt('--cost-repeat', values['cost-repeat'], 1),
    ...(values.backend === undefined ? {} : { backend: oneBackend(values.backend) }),
  });
  return report.exitCode;
});

/** `--backend` of the gate: one name (the gate does not compare backends). */
function oneBackend(raw: string): BrokerBackendName {
  const [first, ...more] = parseBackendFlag(raw);
  if (first === undefined || more.length > 0) throw new UsageError(`--backend ${raw}: the gate takes one backend; compare several with npm run scenario -- broker/sustained --backend ${raw}`);
  return first;
}

/** Seconds from `900`, `90s`, `10m` or `1h`; the flag is named when the value is not one of those. */
function durationSeconds(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const match = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(raw.trim());
  const seconds = match ? Number(match[1]) * { s: 1, m: 60, h: 3600 }[(match[2] ?? 's') as 's' | 'm' | 'h'] : NaN;
  if (!(seconds > 0)) throw new Error(`${flag} ${raw}: expected a duration such as 10m, 900s or 1h`);
  return seconds;
}
