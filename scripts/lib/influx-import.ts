/** `npm run influx -- import results/<runId>`: pushes saved run results (and their target samples) to InfluxDB. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { runPoints } from '../../reporters/influx-points.ts';
import { writeRunToInflux, type WriteOutcome, type WriteRunOptions } from '../../reporters/influx-writer.ts';
import { RUN_RESULT_SCHEMA, type ResourceSample } from '../../reporters/run-result.ts';
import { validateResourceSamples, validateRunResult } from '../../reporters/validate.ts';

export interface ImportedRun {
  file: string;
  runId: string | null;
  scenario: string | null;
  /** Points sent (0 when the file could not be read). */
  points: number;
  written: boolean;
  /** Why it was not written, or null. */
  problem: string | null;
}

export interface ImportReport {
  dir: string;
  runs: ImportedRun[];
  /** JSON files that are not run results (another schema), with why. */
  skipped: Array<{ file: string; reason: string }>;
}

/** Files beside run results that are never run results themselves. */
const NOT_RUN_RESULTS = [/^report\./, /\.resources\.json$/, /\.k6-summary\.json$/];

/** The run result files of a results folder (`*.json` except `report.*`, `*.resources.json`, `*.k6-summary.json`), sorted. */
export function runResultFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !NOT_RUN_RESULTS.some((re) => re.test(f)))
    .sort()
    .map((f) => join(dir, f));
}

/** `<base>.json` → `<base>.resources.json` (`sse-sustained.json`, `sse-sustained-r2.json` alike). */
export function resourcesFileFor(resultFile: string): string {
  return resultFile.replace(/\.json$/, '.resources.json');
}

/** The samples beside a run result, or [] when the harness wrote none. */
export function readResourceSamples(resultFile: string): ResourceSample[] {
  const file = resourcesFileFor(resultFile);
  if (!existsSync(file)) return [];
  return validateResourceSamples(JSON.parse(readFileSync(file, 'utf8')));
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Writes every run result of `dir` to the InfluxDB at `url`. Writing is idempotent: importing twice
 * leaves the same points. Files with another `schema` are skipped; broken ones are reported, not thrown.
 * @param opts passed to `writeRunToInflux` (`resultsDir` defaults to `dir`)
 * @throws Error when `dir` is not a folder or holds no run results
 */
export async function importRunDir(dir: string, url: string, opts: WriteRunOptions = {}): Promise<ImportReport> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`${dir} is not a folder: pass a run's results folder, e.g. results/<runId>`);
  }
  const report: ImportReport = { dir, runs: [], skipped: [] };
  // After one "unreachable", later runs are not tried: a hanging server would cost each one a timeout.
  let unreachable: string | null = null;
  for (const file of runResultFiles(dir)) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      report.runs.push({ file, runId: null, scenario: null, points: 0, written: false, problem: `not JSON: ${message(err)}` });
      continue;
    }
    const schema = (json as { schema?: unknown } | null)?.schema;
    if (schema !== RUN_RESULT_SCHEMA) {
      report.skipped.push({ file, reason: `schema ${JSON.stringify(schema ?? null)} is not ${RUN_RESULT_SCHEMA}` });
      continue;
    }
    try {
      const run = validateRunResult(json);
      const samples = readResourceSamples(file);
      const outcome: WriteOutcome = unreachable !== null
        ? { written: false, warning: unreachable }
        : await writeRunToInflux(url, run, samples, { resultsDir: dir, ...opts });
      if (!outcome.written && outcome.warning?.includes(' is unreachable ')) unreachable = outcome.warning;
      const points = runPoints(run, samples).length;
      report.runs.push({ file, runId: run.runId, scenario: run.scenario, points, written: outcome.written, problem: outcome.warning });
    } catch (err) {
      report.runs.push({ file, runId: null, scenario: null, points: 0, written: false, problem: `${basename(file)}: ${message(err)}` });
    }
  }
  if (report.runs.length === 0) {
    throw new Error(`no run results (${RUN_RESULT_SCHEMA} JSON) in ${dir}`);
  }
  return report;
}
