/** Baselines: `baselines/<target>-<profile>.json`, committed multi-run reference figures. */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunResult } from '../../../reporters/run-result.ts';
import { repoPath } from '../repo.ts';
import { DEFAULT_GATED, gatedFigures, type GatedMetricSpec } from './gated-metrics.ts';

export const BASELINE_SCHEMA = 'tidemark.baseline/1';

export interface BaselineRun {
  runId: string;
  finishedAt: string;
  figures: Record<string, number | null>;
  /**
   * 1-minute load average just before k6 started (RunResult.conditions): baselines measured on a busy machine
   * misled the gate once, so each run says how quiet it was. Absent in files written before it was recorded.
   */
  loadAverage?: number | null;
  /** Why the run was disturbed (reporters/disturbance.ts); empty when it was not. */
  disturbed?: string[];
}

export interface Baseline {
  schema: typeof BASELINE_SCHEMA;
  scenario: string;
  createdAt: string;
  git: { sha: string; branch: string };
  k6Version: string;
  machine: { class: string; cpus: number; model: string };
  /** Load-phase length the runs used (null: the scenario's default). */
  duration: string | null;
  /** Which figures are gated, their direction and margin. */
  gated: Record<string, GatedMetricSpec>;
  runs: BaselineRun[];
}

/** Where baselines live: `baselines/`, or `TIDEMARK_BASELINE_DIR` (tests, experiments). */
export function baselineDir(): string {
  return process.env.TIDEMARK_BASELINE_DIR || repoPath('baselines');
}

export function baselinePath(scenario: string): string {
  return join(baselineDir(), `${scenario.replace('/', '-')}.json`);
}

/** A baseline from valid runs of one scenario; only figures every run has are gated. */
export function baselineFromRuns(runs: RunResult[], duration: string | null): Baseline {
  const first = runs[0];
  if (!first) throw new Error('a baseline needs at least one run');
  const bad = runs.filter((r) => !r.valid);
  if (bad.length > 0) {
    throw new Error(`refusing to write a baseline from invalid runs: ${bad.map((r) => `${r.scenario}: ${r.invalidReasons.join('; ')}`).join(' | ')}`);
  }
  const perRun = runs.map((r) => gatedFigures(r));
  const gated: Record<string, GatedMetricSpec> = {};
  for (const [name, spec] of Object.entries(DEFAULT_GATED)) {
    const has = (f: Record<string, number | null>): boolean => typeof f[name] === 'number';
    // A limit needs no positive reference (a soak slope may be below 0); a log-scale test does.
    if (perRun.every((f) => has(f) && (spec.limit !== undefined || (f[name] as number) > 0))) {
      // The role is the code's to decide (DEFAULT_GATED), not the baseline's: keep only what compares.
      const { role: _role, ...comparable } = spec;
      gated[name] = comparable;
    }
  }
  return {
    schema: BASELINE_SCHEMA,
    scenario: first.scenario,
    createdAt: new Date().toISOString(),
    git: { sha: first.git.sha, branch: first.git.branch },
    k6Version: first.k6.version,
    machine: { class: first.machine.class, cpus: first.machine.cpus, model: first.machine.model },
    duration,
    gated,
    runs: runs.map((r, i) => ({
      runId: r.runId,
      finishedAt: r.finishedAt,
      figures: perRun[i] as Record<string, number | null>,
      loadAverage: r.conditions?.machine.loadAvgStart?.[0] ?? null,
      disturbed: r.disturbed,
    })),
  };
}

export async function writeBaseline(baseline: Baseline): Promise<string> {
  const file = baselinePath(baseline.scenario);
  await mkdir(baselineDir(), { recursive: true });
  await writeFile(file, `${JSON.stringify(baseline, null, 2)}\n`);
  return file;
}

/** Reads and checks a baseline; errors name the file and the field, and say what to do. */
export async function readBaseline(scenario: string): Promise<Baseline> {
  const file = baselinePath(scenario);
  if (!existsSync(file)) {
    throw new Error(`no baseline for ${scenario}: ${file} is missing; create it with \`npm run baseline -- --only '${scenario}'\``);
  }
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file} is not valid JSON (${(err as Error).message}); restore it from git or re-create it with \`npm run baseline\``);
  }
  return checkBaseline(data, file, scenario);
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Structural check of parsed baseline JSON. */
export function checkBaseline(data: unknown, file: string, scenario: string): Baseline {
  const fail = (field: string, what: string): never => {
    throw new Error(`${file}: field \`${field}\` ${what}; re-create it with \`npm run baseline -- --only '${scenario}'\``);
  };
  if (!isRecord(data)) return fail('(root)', 'is not an object');
  if (data.schema !== BASELINE_SCHEMA) fail('schema', `is ${JSON.stringify(data.schema)}, expected "${BASELINE_SCHEMA}"`);
  if (data.scenario !== scenario) fail('scenario', `is ${JSON.stringify(data.scenario)}, expected "${scenario}"`);
  if (!isRecord(data.machine) || typeof data.machine.class !== 'string') fail('machine.class', 'is missing');
  if (!isRecord(data.gated)) fail('gated', 'is missing');
  if (!Array.isArray(data.runs) || data.runs.length === 0) fail('runs', 'is missing or empty');
  for (const [name, spec] of Object.entries(data.gated as Record<string, unknown>)) {
    if (!isRecord(spec) || (spec.direction !== 'lower' && spec.direction !== 'higher') || typeof spec.margin !== 'number') {
      return fail(`gated.${name}`, 'needs direction "lower"|"higher" and a numeric margin');
    }
    if (spec.limit !== undefined && typeof spec.limit !== 'number') fail(`gated.${name}.limit`, 'must be a number when present');
  }
  (data.runs as unknown[]).forEach((run, i) => {
    if (!isRecord(run) || !isRecord(run.figures)) fail(`runs[${i}].figures`, 'is missing');
  });
  return data as unknown as Baseline;
}
