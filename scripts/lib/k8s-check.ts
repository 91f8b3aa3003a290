/**
 * Structural checks of a TestRun and its script ConfigMap against what k6-operator reads: the field names
 * and types of the TestRun CRD (grafana/k6-operator api/v1alpha1/testrun_types.go, config/crd/bases/
 * k6.io_testruns.yaml: TestRunSpec, K6Script, K6Configmap, Pod), the operator's own rules (a ConfigMap
 * script is a key of the ConfigMap mounted at /test, one script source, `spec.arguments` split on whitespace
 * and parsed flag by flag, segments and instance tags added by the operator) and Kubernetes' name rules.
 * Written from those sources by hand; it does not replace the API server's validation.
 */
import { CONFIGMAP_KEY } from './k8s-scripts.ts';

/** `TestRunSpec` JSON fields (k6.io/v1alpha1). */
export const TESTRUN_SPEC_FIELDS = [
  'script', 'parallelism', 'separate', 'arguments', 'args', 'ports', 'initializer', 'starter', 'runner',
  'quiet', 'paused', 'scuttle', 'cleanup', 'testRunId', 'token',
] as const;
/** `K6Script` fields: exactly one of them says where the script is. */
export const SCRIPT_FIELDS = ['configMap', 'volumeClaim', 'localFile'] as const;
/** `Pod` fields of `spec.runner` (also `initializer` and `starter`). */
export const POD_FIELDS = [
  'disabled', 'affinity', 'automountServiceAccountToken', 'env', 'image', 'imagePullSecrets', 'imagePullPolicy',
  'metadata', 'nodeSelector', 'tolerations', 'topologySpreadConstraints', 'resources', 'serviceAccountName',
  'securityContext', 'containerSecurityContext', 'envFrom', 'readinessProbe', 'livenessProbe', 'initContainers',
  'volumes', 'volumeMounts', 'priorityClassName', 'schedulerName',
] as const;
/** Flags the operator passes to each runner itself; setting them in arguments breaks segmentation or control. */
export const OPERATOR_FLAGS = ['--execution-segment', '--execution-segment-sequence', '--address', '--paused', '--quiet'] as const;
/** Longest TestRun name: the operator names jobs `<name>-initializer`, and names are at most 63 characters. */
export const MAX_TESTRUN_NAME = 63 - '-initializer'.length;
/** Largest ConfigMap: Kubernetes stores at most 1 MiB per object. */
export const MAX_CONFIGMAP_BYTES = 1024 * 1024;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

function unknownFields(where: string, obj: Obj, allowed: readonly string[], out: string[]): void {
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) out.push(`${where}.${k}: not a field of the CRD (allowed: ${allowed.join(', ')})`);
}

function checkLabels(where: string, labels: unknown, out: string[]): void {
  if (labels === undefined) return;
  if (!isObj(labels)) {
    out.push(`${where}: expected a map of strings`);
    return;
  }
  for (const [k, v] of Object.entries(labels)) {
    if (!LABEL_KEY.test(k) || k.length > 316) out.push(`${where}: label key ${JSON.stringify(k)} is invalid`);
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) out.push(`${where}.${k}: label value ${JSON.stringify(v)} is invalid (at most 63 of [-A-Za-z0-9_.])`);
  }
}

function checkEnv(where: string, env: unknown, out: string[]): void {
  if (!Array.isArray(env)) {
    out.push(`${where}: expected a list of {name, value | valueFrom}`);
    return;
  }
  const seen = new Set<string>();
  env.forEach((e: unknown, i) => {
    const at = `${where}[${i}]`;
    if (!isObj(e)) return void out.push(`${at}: expected an object`);
    unknownFields(at, e, ['name', 'value', 'valueFrom'], out);
    if (typeof e.name !== 'string' || !ENV_NAME.test(e.name)) out.push(`${at}.name: ${JSON.stringify(e.name)} is not an environment variable name`);
    else if (seen.has(e.name)) out.push(`${at}.name: ${e.name} is set twice`);
    else seen.add(e.name);
    if (e.value !== undefined && typeof e.value !== 'string') out.push(`${at}.value: must be a string (quote numbers)`);
    if (e.value !== undefined && e.valueFrom !== undefined) out.push(`${at}: value and valueFrom are exclusive`);
    if (e.valueFrom !== undefined && !isObj(e.valueFrom)) out.push(`${at}.valueFrom: expected an object`);
  });
}

/** Problems with `spec.arguments` as the operator's ParseCLI and the runner command see them. */
export function checkArguments(args: string): string[] {
  const out: string[] = [];
  const argv = args.split(/\s+/).filter((a) => a !== '');
  if (argv.length > 0 && !argv[0]?.startsWith('-')) out.push(`spec.arguments: starts with ${JSON.stringify(argv[0])}, not a flag (the operator rejects it)`);
  for (const a of argv) {
    const flag = a.split('=')[0] as string;
    if ((OPERATOR_FLAGS as readonly string[]).includes(flag)) out.push(`spec.arguments: ${flag} is set by the operator for each runner`);
  }
  return out;
}

/** Every problem with a TestRun object (empty when none). */
export function checkTestRun(doc: unknown): string[] {
  const out: string[] = [];
  if (!isObj(doc)) return ['TestRun: expected an object'];
  if (doc.apiVersion !== 'k6.io/v1alpha1') out.push(`apiVersion: ${JSON.stringify(doc.apiVersion)}, expected k6.io/v1alpha1`);
  if (doc.kind !== 'TestRun') out.push(`kind: ${JSON.stringify(doc.kind)}, expected TestRun`);
  const meta = isObj(doc.metadata) ? doc.metadata : {};
  const name = meta.name;
  if (typeof name !== 'string' || !DNS_LABEL.test(name) || name.length > MAX_TESTRUN_NAME) {
    out.push(`metadata.name: ${JSON.stringify(name)} must be a DNS label of at most ${MAX_TESTRUN_NAME} characters (the operator appends -initializer)`);
  }
  checkLabels('metadata.labels', meta.labels, out);
  if (!isObj(doc.spec)) return [...out, 'spec: missing'];
  const spec = doc.spec;
  unknownFields('spec', spec, TESTRUN_SPEC_FIELDS, out);
  const p = spec.parallelism;
  if (typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > 2 ** 31 - 1) out.push(`spec.parallelism: ${JSON.stringify(p)}, expected a whole number >= 1 (int32)`);
  if (spec.separate !== undefined && typeof spec.separate !== 'boolean') out.push('spec.separate: expected a boolean');
  for (const f of ['quiet', 'paused'] as const) {
    if (spec[f] !== undefined && spec[f] !== 'true' && spec[f] !== 'false') out.push(`spec.${f}: expected the string "true" or "false"`);
  }
  if (spec.cleanup !== undefined && spec.cleanup !== 'post') out.push('spec.cleanup: the only value is "post"');
  if (spec.arguments !== undefined) {
    if (typeof spec.arguments !== 'string') out.push('spec.arguments: expected a space-separated string');
    else out.push(...checkArguments(spec.arguments));
  }
  if (!isObj(spec.script)) out.push('spec.script: missing (required)');
  else {
    const script = spec.script;
    unknownFields('spec.script', script, SCRIPT_FIELDS, out);
    const sources = SCRIPT_FIELDS.filter((f) => script[f] !== undefined);
    if (sources.length !== 1) out.push(`spec.script: exactly one of ${SCRIPT_FIELDS.join(', ')} (found ${sources.length})`);
    if (script.configMap !== undefined) {
      const cm = isObj(script.configMap) ? script.configMap : {};
      unknownFields('spec.script.configMap', cm, ['name', 'file'], out);
      if (typeof cm.name !== 'string' || !DNS_SUBDOMAIN.test(cm.name)) out.push('spec.script.configMap.name: required, a DNS subdomain');
      if (cm.file !== undefined && (typeof cm.file !== 'string' || !CONFIGMAP_KEY.test(cm.file))) {
        out.push(`spec.script.configMap.file: ${JSON.stringify(cm.file)} must be a ConfigMap key (no path: the ConfigMap is mounted flat at /test)`);
      }
    }
  }
  for (const podField of ['runner', 'initializer', 'starter'] as const) {
    const pod = spec[podField];
    if (pod === undefined) continue;
    if (!isObj(pod)) {
      out.push(`spec.${podField}: expected an object`);
      continue;
    }
    unknownFields(`spec.${podField}`, pod, POD_FIELDS, out);
    if (pod.image !== undefined && (typeof pod.image !== 'string' || pod.image === '' || /\s/.test(pod.image))) out.push(`spec.${podField}.image: expected an image reference`);
    if (pod.imagePullPolicy !== undefined && !['Always', 'IfNotPresent', 'Never'].includes(String(pod.imagePullPolicy))) {
      out.push(`spec.${podField}.imagePullPolicy: Always, IfNotPresent or Never`);
    }
    if (pod.env !== undefined) checkEnv(`spec.${podField}.env`, pod.env, out);
    if (pod.metadata !== undefined) {
      const m = isObj(pod.metadata) ? pod.metadata : {};
      unknownFields(`spec.${podField}.metadata`, m, ['labels', 'annotations'], out);
      checkLabels(`spec.${podField}.metadata.labels`, m.labels, out);
    }
  }
  return out;
}

/** Every problem with a script ConfigMap, and with the TestRun's reference to it when one is given. */
export function checkScriptConfigMap(doc: unknown, testRun?: unknown): string[] {
  const out: string[] = [];
  if (!isObj(doc)) return ['ConfigMap: expected an object'];
  if (doc.apiVersion !== 'v1' || doc.kind !== 'ConfigMap') out.push('ConfigMap: expected apiVersion v1, kind ConfigMap');
  const meta = isObj(doc.metadata) ? doc.metadata : {};
  if (typeof meta.name !== 'string' || !DNS_SUBDOMAIN.test(meta.name) || meta.name.length > 253) out.push('ConfigMap metadata.name: a DNS subdomain is required');
  checkLabels('ConfigMap metadata.labels', meta.labels, out);
  const data = isObj(doc.data) ? doc.data : {};
  let bytes = 0;
  for (const [k, v] of Object.entries(data)) {
    if (!CONFIGMAP_KEY.test(k)) out.push(`ConfigMap data key ${JSON.stringify(k)}: only [-._a-zA-Z0-9] (no "/": files are mounted flat)`);
    if (typeof v !== 'string') out.push(`ConfigMap data.${k}: expected a string`);
    else bytes += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (bytes > MAX_CONFIGMAP_BYTES) out.push(`ConfigMap: ${bytes} bytes, over the 1 MiB Kubernetes allows`);
  if (testRun !== undefined) {
    const spec = isObj(testRun) && isObj(testRun.spec) ? testRun.spec : {};
    const cm = isObj(spec.script) && isObj(spec.script.configMap) ? spec.script.configMap : {};
    if (cm.name !== meta.name) out.push(`TestRun spec.script.configMap.name ${JSON.stringify(cm.name)} is not this ConfigMap (${JSON.stringify(meta.name)})`);
    const file = typeof cm.file === 'string' ? cm.file : 'test.js';
    if (!Object.hasOwn(data, file)) out.push(`TestRun spec.script.configMap.file ${JSON.stringify(file)} is not a key of the ConfigMap`);
    const wrong = isObj(testRun) && isObj(testRun.metadata) ? testRun.metadata.namespace !== meta.namespace : false;
    if (wrong) out.push('TestRun and ConfigMap must be in the same namespace');
  }
  return out;
}
