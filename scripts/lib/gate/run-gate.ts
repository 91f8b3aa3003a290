/** Runs a gate: the suite R times against baselines (or A/B pairs, adaptive), the comparison, the reports on disk. */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import type { RunResult } from '../../../reporters/run-result.ts';
import type { AdaptiveSummary, GateReport, ScenarioComparison } from '../../../reporters/gate-report.ts';
import { renderGateMarkdown } from '../../../reporters/gate-markdown.ts';
import { renderGateTable } from '../../../reporters/gate-table.ts';
import { gitInfo, repoPath } from '../repo.ts';
import { machineInfo } from '../machine.ts';
import { newRunId } from '../run-id.ts';
import { runScenario } from '../run-scenario.ts';
import { DEFAULT_BROKER_BACKEND, type BrokerBackendName } from '../../../targets/broker/backend-choice.ts';
import { onInterrupt } from '../children.ts';
import { baselinePath, readBaseline, type Baseline } from './baseline-file.ts';
import { compareAll, gateExitCode, gateVerdict, type CompareInput } from './compare.ts';
import { defaultGatedFor, gatedFigures, LIMIT_GATED } from './gated-metrics.ts';
import { isSoak, selectScenarios } from './suite.ts';
import { checkoutRef } from './worktree.ts';
import { writeGateToInflux } from './gate-influx.ts';
import { probeCostForGate, type CostGateOptions } from './cost-gate.ts';
import { parseScenarioName } from '../scenario-name.ts';
import type { TargetName } from '../target-registry.ts';
import { fixedLook, lookSchedule, PAIRED_DEFAULTS } from './looks.ts';
import { runPairedRuns, WARMUP_DURATION } from './paired-runs.ts';

export interface GateOptions {
  /** Scenario glob (default: every scenario with a baseline). */
  only?: string | undefined;
  /**
   * Runs per scenario against baselines; with `against`, exactly this many pairs instead of adaptive pairs.
   * @default 3 against baselines; adaptive (minPairs to maxPairs) with `against`
   */
  repeat?: number | undefined;
  /** Paired mode: pairs before the first look, and between looks. @default 3 */
  minPairs?: number | undefined;
  /** Paired mode: most pairs per scenario (the last look). @default 12 */
  maxPairs?: number | undefined;
  /**
   * Paired mode: wall-clock budget of the whole gate, seconds. Pairs past the first look start only when the next
   * look is expected to end within it; the first look always runs. @default 600
   */
  budgetS?: number | undefined;
  /** Git ref for paired A/B mode (default: baseline mode). */
  against?: string | undefined;
  influx?: string | undefined;
  duration?: string | undefined;
  /** Holm family-wise error rate (default 0.01). */
  alpha: number;
  allowMachineMismatch: boolean;
  runId?: string | undefined;
  /** Environment for the targets of current (B) runs, e.g. fault knobs. */
  targetEnv?: Record<string, string>;
  /** Pin k6 and the target to separate CPUs in every run (RunScenarioOptions.pin); default: TIDEMARK_PIN. */
  pin?: boolean | undefined;
  /**
   * The cost probe (`<target>/cost`, instructions per operation, cost-gate.ts) of each target of the gated
   * scenarios: `with` the load runs, `only` (no load runs), or `skip`. @default 'with'
   */
  cost?: 'with' | 'only' | 'skip' | undefined;
  /** Cost figures per side (two valgrind runs each). @default as cost-gate.ts decides (1 or 2) */
  costRepeat?: number | undefined;
  /** Cost workload sizes per target instead of the drivers' (tests). @default the drivers' */
  costSizes?: CostGateOptions['sizes'];
  /** Cost figures per side that confirm a regression (tests). @default CONFIRM_FIGURES (cost-gate.ts) */
  costConfirm?: number | undefined;
  /** B's checkout (and the repository A is checked out from): another clone in tests. @default this repository */
  root?: string | undefined;
  /**
   * The broker's backend in broker scenarios' load runs, on both sides of a paired gate. The committed broker
   * baselines were taken on the in-memory backend, so another backend is gated paired (`against`) only; the cost
   * probe keeps measuring the broker's own code on the in-memory backend. @default the in-memory backend
   */
  backend?: BrokerBackendName | undefined;
  log?: (line: string) => void;
}

/** Refuses a baseline from another machine class unless allowed; says how to proceed. */
function checkMachine(baseline: Baseline, machineClass: string, allow: boolean, log: (l: string) => void): void {
  if (baseline.machine.class === machineClass) return;
  const msg = `baseline ${baseline.scenario} was taken on machine class ${baseline.machine.class}, this is ${machineClass}`;
  if (!allow) {
    throw new Error(`${msg}: figures from different machines are not comparable; re-create the baseline here (\`npm run baseline\`), use --against for a paired A/B gate, or pass --allow-machine-mismatch`);
  }
  log(`warning: ${msg} (--allow-machine-mismatch)`);
}

export async function runGate(opts: GateOptions): Promise<GateReport> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const started = new Date();
  const git = gitInfo();
  const machine = machineInfo();
  const runId = opts.runId ?? newRunId(git.sha);
  const mode = opts.against ? 'ab' : 'baseline';
  // Settings are checked before anything is written.
  const baselineRuns = opts.repeat ?? 3;
  const { minPairs, maxPairs, budgetS } = PAIRED_DEFAULTS;
  const paired = { minPairs, maxPairs, budgetS, ...definedOnly({ minPairs: opts.minPairs, maxPairs: opts.maxPairs, budgetS: opts.budgetS }) };
  // Paired: `--repeat N` is one look at N pairs with the whole α; else the adaptive looks (looks.ts).
  const looks = mode === 'baseline' ? [] : opts.repeat !== undefined ? fixedLook(opts.repeat, opts.alpha, 0.95) : lookSchedule(paired.minPairs, paired.maxPairs, opts.alpha, 0.95);
  const outDir = repoPath('results', runId);
  await mkdir(outDir, { recursive: true });
  const scenarios = selectScenarios(opts.only, mode === 'ab' ? 'ab' : 'gate');
  const brokerScenarios = scenarios.filter((s) => parseScenarioName(s).target === 'broker');
  if (opts.backend !== undefined && opts.backend !== DEFAULT_BROKER_BACKEND && mode === 'baseline' && brokerScenarios.length > 0) {
    throw new Error(
      `--backend ${opts.backend}: the committed broker baselines were taken on the ${DEFAULT_BROKER_BACKEND} backend, so ${brokerScenarios.join(', ')} ` +
        `cannot be compared with them on ${opts.backend}; gate it paired (--against <ref> --backend ${opts.backend}), or leave the broker out with --only`,
    );
  }
  /** The backend option of a scenario's runs: broker scenarios only. */
  const backendOf = (s: string): { backend?: BrokerBackendName } =>
    opts.backend !== undefined && brokerScenarios.includes(s) ? { backend: opts.backend } : {};
  const errors: GateReport['errors'] = [];
  const current = new Map<string, RunResult[]>(scenarios.map((s) => [s, []]));
  const reference = new Map<string, RunResult[]>(scenarios.map((s) => [s, []]));
  const baselines = new Map<string, Baseline>();

  let adaptive: AdaptiveSummary | null = null;
  let decided = new Map<string, ScenarioComparison>();

  /**
   * The report. `decided`: scenarios an adaptive paired gate decided at one of its looks (their α and intervals
   * are the look's); every other input is compared here at the gate's α.
   */
  const finish = async (inputs: CompareInput[], decided = new Map<string, ScenarioComparison>()): Promise<GateReport> => {
    const rest = compareAll(inputs.filter((i) => !decided.has(i.scenario)), { alpha: opts.alpha, level: 0.95 });
    const compared = inputs.map((i) => decided.get(i.scenario) ?? (rest.find((r) => r.scenario === i.scenario) as ScenarioComparison));
    const finished = new Date();
    const exitCode = errors.length > 0 ? 2 : gateExitCode(compared);
    const report: GateReport = {
      schema: 'tidemark.gate/2',
      runId,
      mode,
      against: opts.against ?? null,
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      wallTimeS: (finished.getTime() - started.getTime()) / 1000,
      git,
      machineClass: machine.class,
      repeat: mode === 'baseline' ? baselineRuns : Math.max(0, ...compared.map((c) => c.runs)),
      adaptive,
      alpha: opts.alpha,
      scenarios: compared,
      errors,
      exitCode,
      verdict: gateVerdict(compared, exitCode),
    };
    await writeFile(`${outDir}/report.json`, `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(`${outDir}/report.md`, renderGateMarkdown(report));
    process.stdout.write(`${renderGateTable(report)}\nreport: results/${runId}/report.md\n`);
    if (opts.influx) {
      const written = await writeGateToInflux(opts.influx, report);
      if (written.warning) log(`warning: ${written.warning}`);
    }
    return report;
  };

  const costMode = opts.cost ?? 'with';
  const costInputs: CompareInput[] = [];
  const inputs = (): CompareInput[] => [...(costMode === 'only' ? [] : loadInputs()), ...costInputs];
  const loadInputs = (): CompareInput[] =>
    scenarios
      .filter((s) => !errors.some((e) => e.scenario === s))
      .map((s) => {
        const cur = current.get(s) ?? [];
        const baseline = baselines.get(s);
        if (baseline) {
          return { scenario: s, gated: baseline.gated, reference: baseline.runs.map((r) => r.figures), current: cur };
        }
        // A soak without a baseline is held to the absolute limits only.
        if (mode === 'baseline') return { scenario: s, gated: LIMIT_GATED, reference: [], current: cur };
        const ref = reference.get(s) ?? [];
        return { scenario: s, gated: defaultGatedFor(s), reference: ref.map(gatedFigures), referenceRuns: ref, current: cur, paired: true };
      });

  // Ctrl-C keeps what was measured: a partial report over the runs done so far.
  const unhook = onInterrupt(async () => {
    errors.push({ scenario: '(gate)', error: 'interrupted before the end: partial report' });
    await finish(inputs());
  });

  try {
    if (mode === 'baseline') {
      for (const s of scenarios) {
        if (isSoak(s) && !existsSync(baselinePath(s))) continue;
        try {
          const baseline = await readBaseline(s);
          checkMachine(baseline, machine.class, opts.allowMachineMismatch, log);
          baselines.set(s, baseline);
        } catch (err) {
          errors.push({ scenario: s, error: (err as Error).message });
        }
      }
    }
    const worktree = opts.against ? await checkoutRef(opts.against, undefined, opts.root) : null;
    try {
      // Paired runs are shorter than the scenarios' own (PAIRED_DEFAULTS); a soak keeps its length, which its slope needs.
      const durationOf = (s: string): string | undefined =>
        opts.duration ?? (mode === 'ab' && !isSoak(s) ? PAIRED_DEFAULTS.duration : (baselines.get(s)?.duration ?? undefined));
      // Cost probes first: valgrind must not share the machine with a load run, whose timings it would disturb.
      if (costMode !== 'skip') {
        const targets = [...new Set(scenarios.map((s) => parseScenarioName(s).target as TargetName))];
        log(`gate ${runId}: instructions per operation of ${targets.join(', ')}${worktree ? `, A = ${opts.against} and B` : ', against their cost baselines'}`);
        const cost = await probeCostForGate({ targets, repeat: opts.costRepeat, referenceRoot: worktree?.path, currentRoot: opts.root, env: opts.targetEnv ?? {}, sizes: opts.costSizes, confirm: opts.costConfirm, log });
        costInputs.push(...cost.inputs);
        errors.push(...cost.errors);
      }
      if (costMode === 'only') log(`gate ${runId}: cost only, no load runs`);
      else if (worktree) {
        log(
          `gate ${runId}: ${scenarios.join(', ')}, A = ${opts.against} ${worktree.sha.slice(0, 12)}, B = working tree; ` +
            (opts.repeat !== undefined ? `${opts.repeat} pairs` : `pairs until decided: looks at ${looks.map((l) => l.pairs).join(', ')}, budget ${paired.budgetS} s`),
        );
        const result = await runPairedRuns({
          scenarios,
          // Both sides alike but for the code (A: the ref's targets) and B's -e knobs; warm-up runs go aside.
          runSide: (s, side, pair, warmup) =>
            runScenario({
              scenario: s,
              runId,
              outDir: `${outDir}/${warmup ? 'warmup/' : ''}${side}`,
              repeat: pair,
              duration: warmup ? WARMUP_DURATION : durationOf(s),
              influx: warmup ? undefined : opts.influx,
              ...(side === 'A' ? { targetRoot: worktree.path } : { targetEnv: opts.targetEnv ?? {}, targetRoot: opts.root }),
              ...backendOf(s),
              pin: opts.pin,
              log,
            }),
          reference,
          current,
          errors,
          looks,
          budgetMs: paired.budgetS * 1000,
          elapsedMs: () => Date.now() - started.getTime(),
          compare: (ss, look) => compareAll(inputs().filter((i) => ss.includes(i.scenario)), { alpha: look.alpha, level: look.level }),
          log,
        });
        decided = result.decided;
        if (opts.repeat === undefined) adaptive = { ...paired, looks, stoppedBy: result.stoppedBy };
      } else {
        log(`gate ${runId}: ${scenarios.join(', ')} × ${baselineRuns}`);
        for (let i = 1; i <= baselineRuns; i++) {
          for (const s of scenarios) {
            if (errors.some((e) => e.scenario === s)) continue;
            try {
              const b = await runScenario({ scenario: s, runId, outDir, repeat: i, duration: durationOf(s), influx: opts.influx, targetEnv: opts.targetEnv ?? {}, targetRoot: opts.root, pin: opts.pin, ...backendOf(s), log });
              current.get(s)?.push(b);
              log(`  ${s} run ${i}/${baselineRuns}: ${b.valid ? 'valid' : `INVALID (${b.invalidReasons.join('; ')})`}`);
            } catch (err) {
              errors.push({ scenario: s, error: (err as Error).message });
            }
          }
        }
      }
    } finally {
      await worktree?.remove();
    }
    return await finish(inputs(), decided);
  } finally {
    unhook();
  }
}

/** The entries of `values` that are not undefined, so that they do not override defaults when spread. */
function definedOnly<T extends Record<string, number | undefined>>(values: T): Partial<{ [K in keyof T]: number }> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<{ [K in keyof T]: number }>;
}
