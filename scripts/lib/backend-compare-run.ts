/**
 * Runs one broker scenario against several backends at the same load, interleaved (each repeat runs every
 * backend and feature variant back to back, the backend order rotating per repeat so none always goes first),
 * and writes `results/<runId>/backends.json` and `backends.md`.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrokerBackendName } from '../../targets/broker/backend-choice.ts';
import { renderComparisonMarkdown } from '../../reporters/backend-table.ts';
import type { BackendComparison, MaxRate } from '../../reporters/backend-comparison.ts';
import { BACKENDS_FILE, compareBackends, FEATURE_VARIANTS, type ComparisonRun, type FeatureVariant } from './backend-comparison.ts';
import { searchMaxRate } from './backend-max-rate.ts';
import { repoPath } from './repo.ts';

/** Where the search starts without a BROKER_RATE: the sustained profile's default, messages/s per publisher. */
const DEFAULT_SEARCH_START = 250;
import { runScenario, type RunScenarioOptions } from './run-scenario.ts';

export interface BackendComparisonOptions extends Pick<RunScenarioOptions, 'scenario' | 'runId' | 'duration' | 'influx' | 'pin'> {
  backends: BrokerBackendName[];
  /** Rounds; each runs every backend with every feature variant. */
  repeat: number;
  /** k6 variables every run gets (the load). */
  k6Vars: Record<string, string>;
  /** Runs per backend of the highest-valid-rate search (backend-max-rate.ts), after the comparison; 0 skips it. @default 0 */
  maxRateSteps?: number;
  /** Load-phase length of each search run. @default 5s */
  maxRateDuration?: string;
  log?: (line: string) => void;
}

/** `base` rotated by `by` places: the backend order of one repeat. */
function rotate<T>(base: readonly T[], by: number): T[] {
  const k = by % base.length;
  return [...base.slice(k), ...base.slice(0, k)];
}

export async function runBackendComparison(o: BackendComparisonOptions): Promise<{ comparison: BackendComparison; file: string }> {
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const outDir = repoPath('results', o.runId);
  const variants = Object.keys(FEATURE_VARIANTS) as FeatureVariant[];
  const total = o.repeat * o.backends.length * variants.length;
  const runs: ComparisonRun[] = [];
  for (let repeat = 1; repeat <= o.repeat; repeat++) {
    for (const variant of variants) {
      for (const backend of rotate(o.backends, repeat - 1)) {
        log(`[${runs.length + 1}/${total}] ${o.scenario} on ${backend}, ${variant}, repeat ${repeat}`);
        const run = await runScenario({
          scenario: o.scenario,
          // The feature variants under their own testid: Grafana's "Backends compared" for <runId> shows like with like.
          runId: variant === 'full' ? o.runId : `${o.runId}-${variant}`,
          outDir: join(outDir, variant),
          repeat,
          backend,
          ...(o.duration ? { duration: o.duration } : {}),
          ...(o.influx ? { influx: o.influx } : {}),
          ...(o.pin ? { pin: o.pin } : {}),
          k6Vars: { ...o.k6Vars, ...FEATURE_VARIANTS[variant] },
          log,
        });
        if (!run.valid) log(`  invalid: ${run.invalidReasons.join('; ')}`);
        runs.push({ backend, variant, repeat, run });
      }
    }
  }
  const maxRates = new Map<string, MaxRate>();
  const steps = o.maxRateSteps ?? 0;
  if (steps > 0) {
    const startRate = Number(o.k6Vars.BROKER_RATE ?? DEFAULT_SEARCH_START);
    for (const backend of o.backends) {
      log(`highest valid rate on ${backend}: at most ${steps} runs from ${startRate}/s per publisher`);
      const found = await searchMaxRate(backend, startRate, steps, (b, rate) => {
        log(`  ${b} at ${rate}/s per publisher`);
        return runScenario({
          scenario: o.scenario,
          runId: `${o.runId}-max-rate`,
          outDir: join(outDir, 'max-rate', `${b}-${rate}`),
          backend: b,
          duration: o.maxRateDuration ?? '5s',
          ...(o.pin ? { pin: o.pin } : {}),
          k6Vars: { ...o.k6Vars, BROKER_RATE: String(rate) },
          log: () => {},
        });
      });
      maxRates.set(backend, found);
    }
  }
  const comparison = compareBackends({ runId: o.runId, scenario: o.scenario, backends: o.backends, load: o.k6Vars, runs, maxRates });
  const file = join(outDir, BACKENDS_FILE);
  await writeFile(file, `${JSON.stringify(comparison, null, 2)}\n`);
  await writeFile(join(outDir, 'backends.md'), renderComparisonMarkdown(comparison));
  return { comparison, file };
}
