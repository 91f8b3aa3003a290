/** `npm run k8s -- <target>/<profile> --parallelism N`: k6-operator manifests to run a scenario on Kubernetes. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseCli, parseEnvPairs, positiveInt, runMain, UsageError } from './lib/cli.ts';
import { gitInfo, repoPath, repoRoot } from './lib/repo.ts';
import { newRunId } from './lib/run-id.ts';
import { listScenarios, parseScenarioName } from './lib/scenario-name.ts';
import { targetInfo } from './lib/target-registry.ts';
import { k6SourceHash } from './lib/k6-build.ts';
import { bundleScenario } from './lib/k8s-scripts.ts';
import { AUTH_SECRET, AUTH_SECRET_KEY, buildManifests, INFLUX_SECRET } from './lib/k8s-manifest.ts';
import { checkScriptConfigMap, checkTestRun } from './lib/k8s-check.ts';
import { toYaml } from './lib/k8s-yaml.ts';

const USAGE = `
usage: npm run k8s -- <target>/<profile> --parallelism N [options]

Writes k6-operator manifests that run one scenario on N runner pods (k6 execution segments, one per pod):
  <out>/configmap.yaml   the scenario and every scenarios/lib file it imports (flat keys, imports rewritten)
  <out>/testrun.yaml     a TestRun (k6.io/v1alpha1) with the run's tags and the scenario's environment
Apply both with \`kubectl apply -f <out>/\` in a cluster with k6-operator installed. The runners need a k6
image with the k6/x/sse extension: build it from k6/Dockerfile (the command is printed).

options:
  --parallelism N   runner pods (required)
  --out DIR         where to write (default results/k8s/<target>-<profile>)
  --url URL         the target as the runner pods reach it (default http://tidemark-<target>:<port>)
  --image IMAGE     runner image (default tidemark-k6:<hash of k6/>, the tag the printed build uses)
  --duration D      load-phase length (TIDEMARK_DURATION)
  --influx URL      k6's InfluxDB output, e.g. http://influxdb.monitoring:8086/k6; credentials from the
                    Secret ${INFLUX_SECRET} (keys username, password), when it exists
  --name NAME       TestRun name (default tidemark-<target>-<profile>; the ConfigMap is <name>-scripts)
  --namespace NS    namespace of both objects (default: kubectl's current one)
  --separate        one runner per node (the operator's podAntiAffinity)
  --run-id ID       the testid tag (default: time-sha-random)
  -e, --env K=V     a scenario variable for every runner (repeatable), e.g. -e SSE_CONNECTIONS=5000
                    (written in testrun.yaml: no secrets; TIDEMARK_AUTH_TOKEN comes from the Secret
                    ${AUTH_SECRET}, key ${AUTH_SECRET_KEY}, when it exists)
  -h, --help        this text

scenarios: ${listScenarios().join(', ')}
`;

runMain(async () => {
  const { values, positionals } = parseCli(USAGE, {
    parallelism: { type: 'string' },
    out: { type: 'string' },
    url: { type: 'string' },
    image: { type: 'string' },
    duration: { type: 'string' },
    influx: { type: 'string' },
    name: { type: 'string' },
    namespace: { type: 'string' },
    separate: { type: 'boolean' },
    'run-id': { type: 'string' },
    env: { type: 'string', short: 'e', multiple: true },
  });
  const scenario = positionals[0];
  if (positionals.length !== 1 || scenario === undefined) throw new UsageError(`expected one scenario name\n${USAGE}`);
  if (values.parallelism === undefined) throw new UsageError('--parallelism N is required: how many runner pods share the load');
  const parallelism = positiveInt('--parallelism', values.parallelism, 1);
  const { target, profile } = parseScenarioName(scenario);
  // A secret would sit in testrun.yaml in plain text: the runners read secrets from Kubernetes Secrets.
  const vars = parseEnvPairs(values.env, (name) =>
    name === 'TIDEMARK_AUTH_TOKEN'
      ? `the runners read it from the Secret ${AUTH_SECRET} (key ${AUTH_SECRET_KEY}): printf %s "$TIDEMARK_AUTH_TOKEN" | kubectl create secret generic ${AUTH_SECRET} --from-file=${AUTH_SECRET_KEY}=/dev/stdin`
      : `put it in a Kubernetes Secret (InfluxDB credentials: the Secret ${INFLUX_SECRET}, keys username, password)`,
  );
  const git = gitInfo();
  const image = values.image ?? `tidemark-k6:${(await k6SourceHash()).slice(0, 12)}`;
  const { configMap, testRun } = buildManifests({
    scenario,
    bundle: bundleScenario(scenario),
    parallelism,
    image,
    targetUrl: values.url ?? `http://tidemark-${target}:${targetInfo(target).defaultPort}`,
    runId: values['run-id'] ?? newRunId(git.sha),
    git,
    vars,
    separate: values.separate === true,
    ...(values.name ? { name: values.name } : {}),
    ...(values.namespace ? { namespace: values.namespace } : {}),
    ...(values.duration ? { duration: values.duration } : {}),
    ...(values.influx ? { influx: values.influx } : {}),
  });
  const problems = [...checkTestRun(testRun), ...checkScriptConfigMap(configMap, testRun)];
  if (problems.length > 0) throw new Error(`the manifests would not work:\n  ${problems.join('\n  ')}`);

  const out = values.out ?? repoPath('results', 'k8s', `${target}-${profile}`);
  await mkdir(out, { recursive: true });
  const show = (p: string): string => (p.startsWith(repoRoot) ? relative(repoRoot, p) : p);
  await writeFile(join(out, 'configmap.yaml'), toYaml(configMap));
  await writeFile(join(out, 'testrun.yaml'), toYaml(testRun));
  process.stdout.write(
    [
      `wrote ${show(join(out, 'configmap.yaml'))} (${Object.keys(configMap.data).length} files) and ${show(join(out, 'testrun.yaml'))} (parallelism ${parallelism})`,
      'next:',
      ...(values.image ? [] : [`  docker build -t ${image} k6/      # k6 + k6/x/sse (k6/Dockerfile); push it where the cluster pulls from, then pass --image`]),
      `  kubectl apply -f ${show(out)}/     # a cluster with k6-operator installed`,
      `  kubectl get testrun ${testRun.metadata.name} -w`,
      '',
    ].join('\n'),
  );
  return 0;
});
