/**
 * `npm run k8s`: the TestRun and ConfigMap are what k6-operator reads, the YAML says exactly that, and the
 * flattened scenario files run in k6 as the operator mounts them (flat, under one folder).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleScenario, flatKey, relativeImports } from '../scripts/lib/k8s-scripts.ts';
import { AUTH_SECRET, buildManifests, type ManifestOptions } from '../scripts/lib/k8s-manifest.ts';
import { checkArguments, checkScriptConfigMap, checkTestRun } from '../scripts/lib/k8s-check.ts';
import { isPlainSafe, toYaml } from '../scripts/lib/k8s-yaml.ts';
import { k6Env, k6Path } from '../scripts/lib/k6-build.ts';
import { repoRoot } from '../scripts/lib/repo.ts';

const SSE = ['sse/sustained', 'sse/burst', 'sse/churn'];

function options(scenario: string, extra: Partial<ManifestOptions> = {}): ManifestOptions {
  return {
    scenario,
    bundle: bundleScenario(scenario),
    parallelism: 4,
    image: 'registry.example/tidemark-k6:1',
    targetUrl: 'http://sse.load.svc:8081',
    runId: 'run-1',
    git: { sha: 'abc1234', branch: 'main' },
    ...extra,
  };
}

/** PyYAML, when this machine has it: an independent reader for the YAML this repo writes. */
const pyYaml = spawnSync('python3', ['-c', 'import yaml'], { stdio: 'ignore' }).status === 0;
function readYaml(text: string): unknown {
  const out = execFileSync('python3', ['-c', 'import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))'], { input: text, encoding: 'utf8' });
  return JSON.parse(out) as unknown;
}

describe('scenario bundle', () => {
  it.each(SSE)('%s: every file it imports, flat keys, imports pointing at keys of the same ConfigMap', (scenario) => {
    const bundle = bundleScenario(scenario);
    expect(bundle.entry).toBe(scenario.replace('/', '__') + '.ts');
    expect(Object.keys(bundle.files)).toContain('lib__summary.ts');
    for (const [key, source] of Object.entries(bundle.files)) {
      for (const spec of relativeImports(source)) {
        expect(spec, `${key} imports ${spec}`).toMatch(/^\.\/[-._a-zA-Z0-9]+\.ts$/);
        expect(Object.keys(bundle.files), `${key} imports ${spec}`).toContain(spec.slice(2));
      }
    }
  });

  it('refuses names that cannot be flattened back', () => {
    expect(() => flatKey('/r/scenarios/a__b.ts', '/r/scenarios')).toThrow(/cannot be flattened/);
    expect(() => flatKey('/r/other/x.ts', '/r/scenarios')).toThrow(/outside/);
  });
});

describe('TestRun and ConfigMap', () => {
  it('have the fields k6-operator reads, with the run tags and the scenario environment', () => {
    const { configMap, testRun } = buildManifests(options('sse/sustained', { duration: '2m', vars: { SSE_CONNECTIONS: '5000' }, influx: 'http://influx.mon:8086/k6' }));
    expect(checkTestRun(testRun)).toEqual([]);
    expect(checkScriptConfigMap(configMap, testRun)).toEqual([]);
    expect(testRun.apiVersion).toBe('k6.io/v1alpha1');
    expect(testRun.kind).toBe('TestRun');
    expect(testRun.spec.parallelism).toBe(4);
    expect(testRun.spec.script.configMap).toEqual({ name: 'tidemark-sse-sustained-scripts', file: 'sse__sustained.ts' });
    expect(testRun.spec.runner.image).toBe('registry.example/tidemark-k6:1');
    expect(testRun.spec.arguments.startsWith('--tag testid=run-1 --tag scenario=sse/sustained')).toBe(true);
    expect(testRun.spec.arguments).toContain('--out influxdb=http://influx.mon:8086/k6');
    const env = Object.fromEntries(testRun.spec.runner.env.map((e) => [e.name, 'value' in e ? e.value : 'secret']));
    expect(env).toMatchObject({ TARGET_URL: 'http://sse.load.svc:8081', TIDEMARK_ALLOW_REMOTE: '1', TIDEMARK_DURATION: '2m', SSE_CONNECTIONS: '5000', K6_INFLUXDB_PASSWORD: 'secret' });
  });

  it('the checks catch what the operator would reject or misread', () => {
    const { configMap, testRun } = buildManifests(options('sse/churn'));
    const broken = {
      ...testRun,
      metadata: { name: 'Not_A_Name' },
      spec: { ...testRun.spec, paralelism: 2, parallelism: 0, script: { configMap: { name: 'x', file: 'lib/env.ts' }, localFile: '/a.js' } },
    };
    const problems = checkTestRun(broken).join('\n');
    for (const expected of ['metadata.name', 'spec.paralelism: not a field', 'spec.parallelism', 'spec.script: exactly one', 'configMap.file']) {
      expect(problems).toContain(expected);
    }
    expect(checkArguments('--execution-segment 0:1/2 --tag a=b')).toHaveLength(1);
    expect(checkArguments('testid=x')).toHaveLength(1);
    expect(checkScriptConfigMap({ ...configMap, data: { 'lib/env.ts': '' } }, testRun).join('\n')).toMatch(/only \[-\._a-zA-Z0-9\][\s\S]*not a key/);
  });

  it('the bearer token comes from the Secret tidemark-auth (optional), never in plain text, with or without InfluxDB', () => {
    for (const extra of [{}, { influx: 'http://influx.mon:8086/k6' }]) {
      const { testRun } = buildManifests(options('sse/sustained', extra));
      expect(checkTestRun(testRun)).toEqual([]);
      const auth = testRun.spec.runner.env.filter((e) => e.name === 'TIDEMARK_AUTH_TOKEN');
      expect(auth).toEqual([{ name: 'TIDEMARK_AUTH_TOKEN', valueFrom: { secretKeyRef: { name: AUTH_SECRET, key: 'token', optional: true } } }]);
      expect(AUTH_SECRET).toBe('tidemark-auth');
      // Every secret-looking variable is a reference, none a value.
      for (const e of testRun.spec.runner.env) if (/TOKEN|PASSWORD|SECRET/i.test(e.name)) expect('valueFrom' in e && !('value' in e), e.name).toBe(true);
      const yaml = toYaml(testRun);
      expect(yaml).toContain('      - name: TIDEMARK_AUTH_TOKEN\n        valueFrom:\n          secretKeyRef:\n            name: tidemark-auth\n            key: token\n            optional: true\n');
    }
  });

  it('refuses a secret-looking scenario variable: it would be written into testrun.yaml in plain text', () => {
    for (const name of ['TIDEMARK_AUTH_TOKEN', 'K6_INFLUXDB_PASSWORD', 'MY_SECRET']) {
      expect(() => buildManifests(options('sse/sustained', { vars: { [name]: 'k6-auth-token-4e1d9b7c2a5f8036' } }))).toThrow(/plain text: put it in a Kubernetes Secret/);
    }
  });

  it('refuses a value the operator would split', () => {
    expect(() => buildManifests(options('sse/burst', { git: { sha: 'a', branch: 'my branch' } }))).toThrow(/whitespace/);
  });
});

describe('YAML', () => {
  it('quotes every string another reader could take for a number, bool or null', () => {
    for (const s of ['1', '2m', 'true', 'no', 'Off', '~', 'null', '1e3', '0x1f', '1:20', '-e', 'a: b', 'a #b', '', ' x']) expect(isPlainSafe(s), s).toBe(false);
    for (const s of ['sse__sustained.ts', 'http://h:8081/x', 'tidemark-k6:abc', 'app.kubernetes.io/name']) expect(isPlainSafe(s), s).toBe(true);
  });

  it.skipIf(!pyYaml)('reads back exactly (PyYAML as an independent reader)', () => {
    const tricky = { a: 'two\nlines', b: '  indented first\nline\n', c: 'ends\n\n\n', d: ['x\ny', { e: 'no', f: '1:20' }], g: {}, h: [], i: 'tab\there', j: 'ü ✓', k: 'cr\r\n' };
    expect(readYaml(toYaml(tricky))).toEqual(tricky);
    const { configMap, testRun } = buildManifests(options('sse/burst'));
    expect(readYaml(toYaml(configMap))).toEqual(configMap);
    expect(readYaml(toYaml(testRun))).toEqual(JSON.parse(JSON.stringify(testRun)));
  });
});

describe('on disk, as the operator mounts it', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tidemark-k8s-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('npm run k8s writes both manifests; k6 runs the flat files (k6 inspect, as the initializer does)', async () => {
    const out = join(dir, 'out');
    const cli = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/k8s.ts', 'sse/churn', '--parallelism', '3', '--out', out, '--image', 'img:1'], { cwd: repoRoot, encoding: 'utf8' });
    expect(cli.status, cli.stderr).toBe(0);
    const testRunYaml = await readFile(join(out, 'testrun.yaml'), 'utf8');
    expect(testRunYaml).toMatch(/^apiVersion: k6\.io\/v1alpha1\nkind: TestRun\n/);
    expect(testRunYaml).toContain('  parallelism: 3\n');
    expect(await readFile(join(out, 'configmap.yaml'), 'utf8')).toContain('  sse__churn.ts: |2');

    const missing = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/k8s.ts', 'sse/churn'], { cwd: repoRoot, encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--parallelism N is required');

    // The token on the command line is refused (argv shows in ps), before anything is written, value not echoed.
    const TOKEN = 'k6-auth-token-4e1d9b7c2a5f8036';
    const leaky = join(dir, 'leaky');
    const refused = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/k8s.ts', 'sse/churn', '--parallelism', '3', '--out', leaky, '--image', 'img:1', '-e', `TIDEMARK_AUTH_TOKEN=${TOKEN}`], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('--env TIDEMARK_AUTH_TOKEN=...: secrets are not taken on the command line');
    expect(refused.stderr).toContain('kubectl create secret generic tidemark-auth --from-file=token=/dev/stdin');
    expect(refused.stderr).not.toContain(TOKEN);
    expect(existsSync(leaky)).toBe(false);
    expect(testRunYaml).toContain('name: tidemark-auth\n');
    expect(testRunYaml).not.toMatch(/TIDEMARK_AUTH_TOKEN\n\s+value:/);

    for (const scenario of SSE) {
      const mount = join(dir, scenario.replace('/', '-'));
      const bundle = bundleScenario(scenario);
      execFileSync('mkdir', ['-p', mount]);
      for (const [key, source] of Object.entries(bundle.files)) await writeFile(join(mount, key), source);
      // The initializer passes the runner env to k6 as `-e NAME=value`. SSE_HOLD_S=1 keeps burst's arrival
      // rates whole: k6 rejects a fractional stage target (the default 20 streams / 3 s).
      const { testRun } = buildManifests(options(scenario, { vars: { SSE_HOLD_S: '1' } }));
      const vars = testRun.spec.runner.env.flatMap((e) => ('value' in e ? ['-e', `${e.name}=${e.value}`] : []));
      const res = spawnSync(k6Path(), ['inspect', '--execution-requirements', ...vars, join(mount, bundle.entry)], { env: k6Env(), encoding: 'utf8', timeout: 30_000 });
      expect(res.status, `${scenario}: ${res.stderr}`).toBe(0);
      expect(JSON.parse(res.stdout) as { scenarios: Record<string, unknown> }).toHaveProperty(['scenarios', scenario.split('/')[1] as string]);
    }
  });
});
