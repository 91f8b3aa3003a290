/**
 * Committed cost baselines, `baselines/cost-<target>.json`: the reference of `instructions_per_op` when the gate
 * runs against baselines. Written by `npm run cost -- <target> --write-baseline`; refused, with what to do, when
 * the facts the counts depend on (Node, CPU architecture and features, valgrind, the probe) differ from here.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { factDifferences, type CostFacts } from '../cost/facts.ts';
import type { CostResult } from '../cost/probe.ts';
import { gitInfo } from '../repo.ts';
import type { TargetName } from '../target-registry.ts';
import { baselineDir } from './baseline-file.ts';
import { marginForFigures } from './cost-margin.ts';

export const COST_BASELINE_SCHEMA = 'tidemark.cost-baseline/1';

export interface CostBaseline {
  schema: typeof COST_BASELINE_SCHEMA;
  target: TargetName;
  createdAt: string;
  git: { sha: string; branch: string; dirty: boolean };
  /** What the counts depend on; the gate refuses the baseline where they differ. */
  facts: CostFacts;
  /** What one operation is. */
  unit: string;
  /** Operations of the probe's small and large workloads. */
  sizes: { small: number; large: number };
  /** Instructions per operation of each figure. */
  runs: number[];
  /** Median of `runs`. */
  instructionsPerOp: number;
  /** (max − min) / median of `runs`. */
  spread: number;
  /** Regression margin the gate applies, from the spread of the agreeing runs (cost-margin.ts). */
  margin: number;
  /** 1-minute load average when measured: the counts do not depend on it; recorded to show that. */
  loadAverage: number;
}

/** The command that (re-)creates a target's cost baseline. */
export function costBaselineCommand(target: string): string {
  return `npm run cost -- ${target} --write-baseline --repeat 5`;
}

/** `baselines/cost-<target>.json` (or under `TIDEMARK_BASELINE_DIR`). */
export function costBaselinePath(target: string): string {
  return join(baselineDir(), `cost-${target}.json`);
}

/** A baseline from a probe's result, measured here and now. */
export function costBaselineFrom(result: CostResult): CostBaseline {
  const git = gitInfo();
  return {
    schema: COST_BASELINE_SCHEMA,
    target: result.target,
    createdAt: new Date().toISOString(),
    git: { sha: git.sha, branch: git.branch, dirty: git.dirty },
    facts: result.facts,
    unit: result.unit,
    sizes: result.sizes,
    runs: result.runs,
    instructionsPerOp: result.instructionsPerOp,
    spread: result.spread,
    margin: marginForFigures(result.runs),
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** Writes the baseline of `result`; returns its path. */
export async function writeCostBaseline(result: CostResult): Promise<string> {
  const file = costBaselinePath(result.target);
  await mkdir(baselineDir(), { recursive: true });
  await writeFile(file, `${JSON.stringify(costBaselineFrom(result), null, 2)}\n`);
  return file;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Structural check of parsed cost-baseline JSON; errors name the file and field, and the command to re-create it. */
export function checkCostBaseline(data: unknown, file: string, target: string): CostBaseline {
  const fail = (field: string, what: string): never => {
    throw new Error(`${file}: field \`${field}\` ${what}; re-create it with \`${costBaselineCommand(target)}\``);
  };
  if (!isRecord(data)) return fail('(root)', 'is not an object');
  if (data.schema !== COST_BASELINE_SCHEMA) fail('schema', `is ${JSON.stringify(data.schema)}, expected "${COST_BASELINE_SCHEMA}"`);
  if (data.target !== target) fail('target', `is ${JSON.stringify(data.target)}, expected "${target}"`);
  if (!Array.isArray(data.runs) || data.runs.length === 0 || !data.runs.every((r) => typeof r === 'number' && r > 0)) fail('runs', 'must be a non-empty list of positive numbers');
  if (typeof data.margin !== 'number' || !(data.margin > 0 && data.margin < 1)) fail('margin', 'must be a share between 0 and 1');
  const facts = data.facts;
  if (!isRecord(facts) || typeof facts.node !== 'string' || typeof facts.arch !== 'string' || typeof facts.valgrind !== 'string' || !Array.isArray(facts.cpuFeatures)) {
    fail('facts', 'must hold node, arch, valgrind and cpuFeatures');
  }
  return data as unknown as CostBaseline;
}

/** Reads and checks `baselines/cost-<target>.json`; errors say which command creates or repairs it. */
export async function readCostBaseline(target: string): Promise<CostBaseline> {
  const file = costBaselinePath(target);
  if (!existsSync(file)) {
    throw new Error(`no cost baseline for ${target}: ${file} is missing; create it with \`${costBaselineCommand(target)}\` (and commit it), or gate with --against <ref>`);
  }
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file} is not valid JSON (${(err as Error).message}); restore it from git or re-create it with \`${costBaselineCommand(target)}\``);
  }
  return checkCostBaseline(data, file, target);
}

/**
 * Refuses a baseline whose facts differ from this machine's: its counts are not comparable.
 * @throws naming each differing fact and what to do
 */
export function checkCostFacts(baseline: CostBaseline, facts: CostFacts, file = costBaselinePath(baseline.target)): void {
  const differences = factDifferences(baseline.facts, facts);
  if (differences.length === 0) return;
  throw new Error(
    `cost baseline ${file} does not apply here: ${differences.join('; ')}. Instruction counts depend on these facts; ` +
      `re-create the baseline on this machine with \`${costBaselineCommand(baseline.target)}\` (and commit it), or gate with --against <ref> (both sides probed here)`,
  );
}
