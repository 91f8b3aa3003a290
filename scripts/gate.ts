/** `npm run gate`: runs the gate suite and compares it with baselines (or, paired, with another git ref). */
import { parseCli, parseEnvPairs, positiveInt, runMain } from './lib/cli.ts';
import { runGate } from './lib/gate/run-gate.ts';

const USAGE = `
usage: npm run gate -- [options]

Runs every scenario that has a committed baseline (baselines/*.json) N times and compares the runs with
the baseline; or, with --against, runs the targets of <git-ref> (A) and of this working tree (B)
interleaved (A B, B A, A B, ...: the order alternates within pairs) and compares them pairwise. Writes results/<runId>/report.md, report.json
and every run result. Exit code: 0 pass, 1 regression, 2 invalid run or harness error.

options:
  --only GLOB                scenarios to gate, e.g. 'sse/*' or 'sse/sustained,sse/churn'; soak
                             scenarios run only when named ('sse/soak', '*/soak'): they need no
                             baseline and are held to the RSS slope limit (docs/RELIABILITY.md)
  --repeat N                 runs per scenario (default 3 against baselines, which hold 5 or more;
                             5 pairs with --against: a paired test needs a few pairs to have any power)
  --against REF              paired A/B mode against a git ref (branch, tag or sha)
  --influx URL               also record runs and verdicts, e.g. http://127.0.0.1:8086/k6
  --duration D               override the load-phase length of every scenario
  --alpha A                  family-wise error rate for the Holm procedure (default 0.01)
  --allow-machine-mismatch   compare with a baseline taken on another machine class
  --run-id ID                results folder name (default: time-sha-random)
  --pin                      pin k6 and each target to separate CPUs with taskset (2 CPUs: k6 on 0,
                             target on 1); default off, or TIDEMARK_PIN=1 (docs/GATE.md, "Noise controls")
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
    pin: { type: 'boolean' },
    env: { type: 'string', short: 'e', multiple: true },
  });
  const alpha = values.alpha === undefined ? 0.01 : Number(values.alpha);
  if (!(alpha > 0 && alpha < 1)) throw new Error(`--alpha ${values.alpha}: expected a number between 0 and 1`);
  const targetEnv = parseEnvPairs(values.env);
  const report = await runGate({
    only: values.only,
    repeat: positiveInt('--repeat', values.repeat, values.against ? 5 : 3),
    against: values.against,
    influx: values.influx,
    duration: values.duration,
    alpha,
    allowMachineMismatch: values['allow-machine-mismatch'] === true,
    runId: values['run-id'],
    targetEnv,
    ...(values.pin ? { pin: true } : {}),
  });
  return report.exitCode;
});
