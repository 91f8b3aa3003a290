/** Runs a gate: the suite R times (or A/B interleaved), the comparison, and the reports on disk. */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import type { RunResult } from '../../../reporters/run-result.ts';
import type { GateReport } from '../../../reporters/gate-report.ts';
import { renderGateMarkdown } from '../../../reporters/gate-markdown.ts';
import { renderGateTable } from '../../../reporters/gate-table.ts';
import { gitInfo, repoPath } from '../repo.ts';
import { machineInfo } from '../machine.ts';
import { newRunId } from '../run-id.ts';
import { runScenario } from '../run-scenario.ts';
import { onInterrupt } from '../children.ts';
import { baselinePath, readBaseline, type Baseline } from './baseline-file.ts';
import { compareAll, gateExitCode, type CompareInput } from './compare.ts';
import { defaultGatedFor, gatedFigures, LIMIT_GATED } from './gated-metrics.ts';
import { isSoak, selectScenarios } from './suite.ts';
import { checkoutRef } from './worktree.ts';
import { writeGateToInflux } from './gate-influx.ts';

export interface GateOptions {
  /** Scenario glob (default: every scenario with a baseline). */
  only?: string | undefined;
  /** Runs per scenario (default 3). */
  repeat: number;
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
  const outDir = repoPath('results', runId);
  await mkdir(outDir, { recursive: true });
  const mode = opts.against ? 'ab' : 'baseline';
  const scenarios = selectScenarios(opts.only, mode === 'ab' ? 'ab' : 'gate');
  const errors: GateReport['errors'] = [];
  const current = new Map<string, RunResult[]>(scenarios.map((s) => [s, []]));
  const reference = new Map<string, RunResult[]>(scenarios.map((s) => [s, []]));
  const baselines = new Map<string, Baseline>();

  const finish = async (inputs: CompareInput[]): Promise<GateReport> => {
    const compared = compareAll(inputs, { alpha: opts.alpha, level: 0.95 });
    const finished = new Date();
    const exitCode = errors.length > 0 ? 2 : gateExitCode(compared);
    const report: GateReport = {
      schema: 'tidemark.gate/1',
      runId,
      mode,
      against: opts.against ?? null,
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      wallTimeS: (finished.getTime() - started.getTime()) / 1000,
      git,
      machineClass: machine.class,
      repeat: opts.repeat,
      alpha: opts.alpha,
      scenarios: compared,
      errors,
      exitCode,
      verdict: exitCode === 2 ? 'invalid' : exitCode === 1 ? 'regression' : 'pass',
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

  const inputs = (): CompareInput[] =>
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
    const worktree = opts.against ? await checkoutRef(opts.against) : null;
    try {
      log(`gate ${runId}: ${scenarios.join(', ')} × ${opts.repeat}${worktree ? ` (A = ${opts.against} ${worktree.sha.slice(0, 12)}, B = working tree)` : ''}`);
      for (let i = 1; i <= opts.repeat; i++) {
        for (const s of scenarios) {
          if (errors.some((e) => e.scenario === s)) continue;
          const duration = opts.duration ?? baselines.get(s)?.duration ?? undefined;
          try {
            const runA = async (): Promise<void> => {
              if (!worktree) return;
              const a = await runScenario({ scenario: s, runId, outDir: `${outDir}/A`, repeat: i, duration, influx: opts.influx, targetRoot: worktree.path, pin: opts.pin, log });
              reference.get(s)?.push(a);
            };
            const runB = async (): Promise<RunResult> =>
              runScenario({
                scenario: s,
                runId,
                outDir: worktree ? `${outDir}/B` : outDir,
                repeat: i,
                duration,
                influx: opts.influx,
                targetEnv: opts.targetEnv ?? {},
                pin: opts.pin,
                log,
              });
            // A B, B A, A B, ...: alternating the order within pairs cancels any effect of running second.
            let b: RunResult;
            if (i % 2 === 1) {
              await runA();
              b = await runB();
            } else {
              b = await runB();
              await runA();
            }
            current.get(s)?.push(b);
            log(`  ${s} run ${i}/${opts.repeat}: ${b.valid ? 'valid' : `INVALID (${b.invalidReasons.join('; ')})`}`);
          } catch (err) {
            errors.push({ scenario: s, error: (err as Error).message });
          }
        }
      }
    } finally {
      await worktree?.remove();
    }
    return await finish(inputs());
  } finally {
    unhook();
  }
}
