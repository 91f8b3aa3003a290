/** Runtime validation of run results and resource samples against `run-result.schema.json`. */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import schema from './run-result.schema.json' with { type: 'json' };
import type { ResourceSample, RunResult } from './run-result.ts';

/** RFC 3339 date-time (what `Date.prototype.toISOString` writes), checked without ajv-formats. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

function isDateTime(s: string): boolean {
  return DATE_TIME.test(s) && !Number.isNaN(Date.parse(s));
}

let compiled: { run: ValidateFunction; samples: ValidateFunction } | null = null;

function validators(): { run: ValidateFunction; samples: ValidateFunction } {
  if (compiled) return compiled;
  // useDefaults: results written before a field existed (conditions, disturbed, serverLatency) still import,
  // with the schema's defaults filled in, so code reading them needs no special case.
  const ajv = new Ajv2020({ allErrors: true, strict: true, useDefaults: true, allowUnionTypes: true, formats: { 'date-time': isDateTime } });
  const run = ajv.compile(schema);
  const samples = ajv.compile({ type: 'array', items: { $ref: `${schema.$id}#/$defs/resourceSample` } });
  compiled = { run, samples };
  return compiled;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A JSON pointer (`/metrics/http_reqs/count`) as a JSON path (`$.metrics.http_reqs.count`). */
export function toJsonPath(pointer: string, extra?: string): string {
  const parts = pointer === '' ? [] : pointer.slice(1).split('/');
  if (extra !== undefined) parts.push(extra);
  let path = '$';
  for (const raw of parts) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) path += `[${part}]`;
    else if (IDENTIFIER.test(part)) path += `.${part}`;
    else path += `[${JSON.stringify(part)}]`;
  }
  return path;
}

/** One line per schema violation: `$.load.askedRate: must be number,null`. */
export function describeErrors(errors: readonly ErrorObject[]): string[] {
  const lines: string[] = [];
  for (const e of errors) {
    // `if` only reports that its then/else branch failed; that branch's own error says why.
    if (e.keyword === 'if') continue;
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'required') {
      lines.push(`${toJsonPath(e.instancePath, String(params.missingProperty))}: missing required property`);
    } else if (e.keyword === 'additionalProperties') {
      lines.push(`${toJsonPath(e.instancePath, String(params.additionalProperty))}: unknown property`);
    } else if (e.keyword === 'const' || e.keyword === 'enum') {
      const allowed = e.keyword === 'const' ? [params.allowedValue] : (params.allowedValues as unknown[]);
      lines.push(`${toJsonPath(e.instancePath)}: must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`);
    } else {
      lines.push(`${toJsonPath(e.instancePath)}: ${e.message ?? e.keyword}`);
    }
  }
  return [...new Set(lines)];
}

function check<T>(validate: ValidateFunction, x: unknown, what: string): T {
  if (validate(x)) return x as T;
  const lines = describeErrors(validate.errors ?? []);
  throw new Error(`invalid ${what} (${lines.length} problem${lines.length === 1 ? '' : 's'}):\n  ${lines.join('\n  ')}`);
}

/**
 * Checks `x` against `run-result.schema.json` and returns it typed.
 * @throws Error listing every violation with its JSON path, one per line.
 */
export function validateRunResult(x: unknown): RunResult {
  return check<RunResult>(validators().run, x, 'run result');
}

/**
 * Checks a `<target>-<profile>.resources.json` array of resource samples.
 * @throws Error listing every violation with its JSON path.
 */
export function validateResourceSamples(x: unknown): ResourceSample[] {
  return check<ResourceSample[]>(validators().samples, x, 'resource samples');
}
