/**
 * k6-operator manifests for a scenario: a ConfigMap with the scenario's files and a `TestRun`
 * (k6.io/v1alpha1) that runs it on `parallelism` runner pods. The operator gives runner i of N the k6
 * execution segment i/N:(i+1)/N and the tag `instance_id=<i>` itself; Tidemark adds the run's tags
 * (`testid` first) in `spec.arguments` and the scenario's configuration in `spec.runner.env`.
 * Field names follow grafana/k6-operator api/v1alpha1/testrun_types.go (TestRunSpec, K6Script, Pod).
 */
import { parseScenarioName } from './scenario-name.ts';
import type { ScenarioBundle } from './k8s-scripts.ts';
import { parseInfluxUrl } from '../../reporters/influx-connection.ts';
import { isSecretEnvName } from './cli.ts';

/** `{ name, value }` or `{ name, valueFrom }`: core/v1 EnvVar, the subset used here. */
export type EnvVar =
  | { name: string; value: string }
  | { name: string; valueFrom: { secretKeyRef: { name: string; key: string; optional: boolean } } };

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
}

export interface ConfigMap {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: ObjectMeta;
  data: Record<string, string>;
}

/** The TestRun fields Tidemark sets; see the CRD for the others (resources, nodeSelector, ...). */
export interface TestRun {
  apiVersion: 'k6.io/v1alpha1';
  kind: 'TestRun';
  metadata: ObjectMeta;
  spec: {
    parallelism: number;
    separate: boolean;
    script: { configMap: { name: string; file: string } };
    arguments: string;
    runner: { image: string; imagePullPolicy: 'IfNotPresent' | 'Always'; env: EnvVar[]; metadata: { labels: Record<string, string> } };
  };
}

export interface ManifestOptions {
  /** `<target>/<profile>` */
  scenario: string;
  /** The scenario files (from `bundleScenario`). */
  bundle: ScenarioBundle;
  /** Runner pods, each running 1/parallelism of the load. */
  parallelism: number;
  /** k6 image with the k6/x/sse extension (built from k6/Dockerfile). */
  image: string;
  /** The target as the runner pods reach it, e.g. http://sse.tidemark.svc:8081. */
  targetUrl: string;
  /** The run's `testid` tag. */
  runId: string;
  git: { sha: string; branch: string };
  /** TestRun name (default `tidemark-<target>-<profile>`); the ConfigMap is `<name>-scripts`. */
  name?: string;
  namespace?: string;
  /** Load-phase length, as TIDEMARK_DURATION. */
  duration?: string;
  /**
   * More scenario variables (`-e K=V`), written into the TestRun in plain text: no secrets (a name matching
   * TOKEN, PASSWORD or SECRET is refused; the auth token comes from the Secret `tidemark-auth`).
   */
  vars?: Record<string, string>;
  /** InfluxDB 1.x URL with the database as path; credentials come from the Secret `tidemark-influx`. */
  influx?: string;
  /** Spread the runners over different nodes (podAntiAffinity), default false. */
  separate?: boolean;
}

/** Secret the runners read InfluxDB credentials from (keys `username`, `password`; optional). */
export const INFLUX_SECRET = 'tidemark-influx';
/** Secret the runners read `TIDEMARK_AUTH_TOKEN` from (key `token`; optional: without it auth is off). */
export const AUTH_SECRET = 'tidemark-auth';
/** The key of {@link AUTH_SECRET} that holds the bearer token. */
export const AUTH_SECRET_KEY = 'token';

const fromSecret = (name: string, secret: string, key: string): EnvVar => ({ name, valueFrom: { secretKeyRef: { name: secret, key, optional: true } } });

/** The default TestRun name of a scenario. */
export function defaultName(scenario: string): string {
  const { target, profile } = parseScenarioName(scenario);
  return `tidemark-${target}-${profile}`;
}

function labels(scenario: string): Record<string, string> {
  const { target, profile } = parseScenarioName(scenario);
  return { 'app.kubernetes.io/name': 'tidemark', 'app.kubernetes.io/component': 'load', 'tidemark.dev/target': target, 'tidemark.dev/profile': profile };
}

/**
 * `spec.arguments`: the run's tags (and the InfluxDB output). The operator splits the string on whitespace,
 * so no value may contain any.
 * @throws Error naming a value that holds whitespace
 */
export function k6Arguments(opts: Pick<ManifestOptions, 'scenario' | 'runId' | 'git' | 'influx'>): string {
  const { target, profile } = parseScenarioName(opts.scenario);
  const tags: Array<[string, string]> = [
    ['testid', opts.runId],
    ['scenario', opts.scenario],
    ['target', target],
    ['profile', profile],
    ['git_sha', opts.git.sha],
    ['branch', opts.git.branch],
  ];
  const args = tags.flatMap(([k, v]) => ['--tag', `${k}=${v}`]);
  if (opts.influx) {
    const conn = parseInfluxUrl(opts.influx, {});
    args.push('--out', `influxdb=${conn.safeUrl}`);
  }
  const spaced = args.find((a) => /\s/.test(a));
  if (spaced !== undefined) throw new Error(`k6 argument ${JSON.stringify(spaced)} holds whitespace: the operator splits spec.arguments on it`);
  return args.join(' ');
}

/**
 * `spec.runner.env`: the target URL, remote loading allowed, no extension download, the scenario's variables,
 * and the secrets by reference only: `TIDEMARK_AUTH_TOKEN` from the Secret `tidemark-auth` (always; optional,
 * so a run without auth still starts) and the InfluxDB credentials from `tidemark-influx` (with `influx`).
 * @throws Error when `vars` holds a secret-looking name (it would be written in plain text)
 */
export function runnerEnv(opts: Pick<ManifestOptions, 'targetUrl' | 'duration' | 'vars' | 'influx'>): EnvVar[] {
  const secret = Object.keys(opts.vars ?? {}).find(isSecretEnvName);
  if (secret !== undefined) {
    throw new Error(`${secret} would be written into testrun.yaml in plain text: put it in a Kubernetes Secret (TIDEMARK_AUTH_TOKEN comes from the Secret ${AUTH_SECRET}, key ${AUTH_SECRET_KEY})`);
  }
  const env: EnvVar[] = [
    { name: 'TARGET_URL', value: opts.targetUrl },
    // The scenarios load loopback only unless told that the remote target is yours.
    { name: 'TIDEMARK_ALLOW_REMOTE', value: '1' },
    { name: 'K6_AUTO_EXTENSION_RESOLUTION', value: 'false' },
    { name: 'K6_NO_USAGE_REPORT', value: 'true' },
  ];
  if (opts.duration) env.push({ name: 'TIDEMARK_DURATION', value: opts.duration });
  for (const [name, value] of Object.entries(opts.vars ?? {})) env.push({ name, value });
  // k6 passes the container environment to the scenario's __ENV (scenarios/lib/auth.ts reads it there).
  env.push(fromSecret('TIDEMARK_AUTH_TOKEN', AUTH_SECRET, AUTH_SECRET_KEY));
  if (opts.influx) {
    for (const [name, key] of [['K6_INFLUXDB_USERNAME', 'username'], ['K6_INFLUXDB_PASSWORD', 'password']] as const) {
      env.push(fromSecret(name, INFLUX_SECRET, key));
    }
  }
  return env;
}

/** The ConfigMap and the TestRun of a scenario. */
export function buildManifests(opts: ManifestOptions): { configMap: ConfigMap; testRun: TestRun } {
  const name = opts.name ?? defaultName(opts.scenario);
  const ns = opts.namespace ? { namespace: opts.namespace } : {};
  const meta = (n: string): ObjectMeta => ({ name: n, ...ns, labels: labels(opts.scenario) });
  const configMap: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(`${name}-scripts`), data: opts.bundle.files };
  const testRun: TestRun = {
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata: meta(name),
    spec: {
      parallelism: opts.parallelism,
      separate: opts.separate ?? false,
      script: { configMap: { name: configMap.metadata.name, file: opts.bundle.entry } },
      arguments: k6Arguments(opts),
      runner: {
        image: opts.image,
        imagePullPolicy: 'IfNotPresent',
        env: runnerEnv(opts),
        metadata: { labels: { ...labels(opts.scenario), 'tidemark.dev/testid': opts.runId } },
      },
    },
  };
  return { configMap, testRun };
}
