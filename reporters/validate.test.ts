import { describe, expect, it } from 'vitest';
import schema from './run-result.schema.json' with { type: 'json' };
import { sampleRun, sampleSamples } from './fixtures/sample-run.ts';
import type { RunResult } from './run-result.ts';
import { toJsonPath, validateResourceSamples, validateRunResult } from './validate.ts';

// `any` on purpose: these tests mutate a run result into shapes its type forbids.
type Loose = Record<string, any>;

/** A deep copy of the sample run with `edit` applied. */
function broken(edit: (r: Loose) => void): unknown {
  const copy = structuredClone(sampleRun()) as Loose;
  edit(copy);
  return copy;
}

function problems(x: unknown): string {
  try {
    validateRunResult(x);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the run result to be rejected');
}

describe('validateRunResult', () => {
  it('accepts a complete run result and returns it', () => {
    const run = sampleRun();
    expect(validateRunResult(run)).toBe(run);
  });

  it('accepts the null forms (no resources, no influx, no latency metric, valid run)', () => {
    const run: RunResult = { ...sampleRun(), resources: null, influx: null, latencyMetric: null, errorRate: null, valid: true, invalidReasons: [] };
    expect(validateRunResult(run)).toBe(run);
  });

  it('accepts a run without conditions (nothing read) and names a bad one', () => {
    const run: RunResult = { ...sampleRun(), conditions: null };
    expect(validateRunResult(run)).toBe(run);
    const msg = problems(broken((r) => {
      r.conditions.machine.loadAvgStart = [1, 2];
      r.conditions.target.runQueueMs = -1;
      r.disturbed = [''];
    }));
    expect(msg).toContain('$.conditions.target.runQueueMs: must be >= 0');
    expect(msg).toContain('$.conditions.machine.loadAvgStart');
    expect(msg).toContain('$.disturbed[0]: must NOT have fewer than 1 characters');
  });

  it('reads a result written before conditions, disturbed, serverLatency and cpuMsPerOpTicks existed, with their defaults', () => {
    const older = JSON.parse(JSON.stringify(sampleRun())) as Record<string, unknown> & { resources: Record<string, unknown> };
    for (const key of ['conditions', 'disturbed', 'serverLatency']) delete older[key];
    delete older.resources.cpuMsPerOpTicks;
    const run = validateRunResult(older);
    expect(run.disturbed).toEqual([]);
    expect(run.conditions).toBeNull();
    expect(run.serverLatency).toBeNull();
    expect(run.resources?.cpuMsPerOpTicks).toBeNull();
  });

  it('names a missing property with its path', () => {
    expect(problems(broken((r) => delete r.load.askedRate))).toContain('$.load.askedRate: missing required property');
  });

  it('names an unknown property', () => {
    expect(problems(broken((r) => (r.machine.gpu = 'none')))).toContain('$.machine.gpu: unknown property');
  });

  it('names a wrong type inside a metric whose name needs brackets', () => {
    const msg = problems(broken((r) => (r.metrics['http_req_duration{scenario:steady}'].p95 = '12')));
    expect(msg).toContain('$.metrics["http_req_duration{scenario:steady}"].p95: must be number,null');
  });

  it('names a bad enum, a bad const and a bad date', () => {
    const msg = problems(broken((r) => {
      r.metrics.http_reqs.type = 'histogram';
      r.schema = 'tidemark.run/0';
      r.finishedAt = 'yesterday';
    }));
    expect(msg).toContain('$.metrics.http_reqs.type: must be one of "trend", "counter", "rate", "gauge"');
    expect(msg).toContain('$.schema: must be one of "tidemark.run/1"');
    expect(msg).toContain('$.finishedAt: must match format "date-time"');
  });

  it('names array items and ranges', () => {
    const msg = problems(broken((r) => {
      r.thresholds[1].ok = 'yes';
      r.errorRate = 1.5;
      r.load.droppedIterations = -1;
    }));
    expect(msg).toContain('$.thresholds[1].ok: must be boolean');
    expect(msg).toContain('$.errorRate: must be <= 1');
    expect(msg).toContain('$.load.droppedIterations: must be >= 0');
  });

  it('lists every problem, not just the first', () => {
    const msg = problems(broken((r) => {
      delete r.runId;
      r.valid = 'no';
      r.resources.samples = 1.5;
    }));
    expect(msg).toMatch(/invalid run result \(3 problems\)/);
    expect(msg).toContain('$.runId: missing required property');
    expect(msg).toContain('$.valid: must be boolean');
    expect(msg).toContain('$.resources.samples: must be integer');
  });

  it('ties valid to invalidReasons', () => {
    expect(problems(broken((r) => (r.invalidReasons = [])))).toContain('$.invalidReasons: must NOT have fewer than 1 items');
    expect(problems(broken((r) => (r.valid = true)))).toContain('$.invalidReasons: must NOT have more than 0 items');
  });

  it('rejects a non-object', () => {
    expect(problems(42)).toContain('$: must be object');
  });
});

describe('schema and RunResult stay in sync', () => {
  it('requires exactly the keys of RunResult (sample run has every key, TS checks none is extra)', () => {
    const run = sampleRun();
    // A key is either required or has a default (added later: older results get the default when read).
    const requiredOrDefaulted = (props: Record<string, object>, required: string[]): string[] =>
      Object.keys(props).filter((k) => required.includes(k) || 'default' in (props[k] as object)).sort();
    expect(requiredOrDefaulted(schema.properties, schema.required)).toEqual(Object.keys(run).sort());
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(run).sort());
    const nested = { git: run.git, k6: run.k6, machine: run.machine, load: run.load, resources: run.resources, conditions: run.conditions } as const;
    for (const [key, value] of Object.entries(nested)) {
      const own = schema.properties[key as keyof typeof nested] as { properties?: Record<string, object>; required?: string[] };
      // `resources` (and a backend server's) share one definition.
      const sub = (key === 'resources' ? schema.$defs.targetResources : own) as { properties: Record<string, object>; required: string[] };
      expect(requiredOrDefaulted(sub.properties, sub.required), key).toEqual(Object.keys(value ?? {}).sort());
    }
    expect([...schema.properties.conditions.properties.machine.required].sort()).toEqual(Object.keys(run.conditions?.machine ?? {}).sort());
    expect([...schema.$defs.processConditions.required].sort()).toEqual(Object.keys(run.conditions?.target ?? {}).sort());
    const metric = Object.values(run.metrics)[0] ?? {};
    expect([...schema.$defs.metricSummary.required].sort()).toEqual(Object.keys(metric).sort());
  });
});

describe('validateResourceSamples', () => {
  it('accepts samples and names a bad one', () => {
    const samples = sampleSamples();
    expect(validateResourceSamples(samples)).toBe(samples);
    expect(() => validateResourceSamples([...samples, { t: 1, cpuMs: 1, rssKB: 'x', connections: null, ops: null }])).toThrow(
      '$[6].rssKB: must be number',
    );
  });
});

describe('toJsonPath', () => {
  it('escapes pointer tokens', () => {
    expect(toJsonPath('/metrics/a~1b/p95')).toBe('$.metrics["a/b"].p95');
    expect(toJsonPath('')).toBe('$');
  });
});
