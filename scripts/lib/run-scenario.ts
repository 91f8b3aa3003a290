/** One scenario run end to end: start the target, run k6, sample resources, write the run result. */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { ResourceSample, RunResult } from '../../reporters/run-result.ts';
import { buildRunResult, type K6SummaryFile } from '../../reporters/build-run-result.ts';
import { validateRunResult } from '../../reporters/validate.ts';
import { writeRunToInflux } from '../../reporters/influx-writer.ts';
import { exited, onInterrupt, spawnTracked, stopChild } from './children.ts';
import { k6Env, k6Path, k6Version } from './k6-build.ts';
import { k6Refusal, parseK6Version } from './k6-identity.ts';
import { gitInfo, repoPath, repoRoot } from './repo.ts';
import { machineInfo } from './machine.ts';
import { startSampler, type ResourceSampler } from './resource-sampler.ts';
import { isHealthy, waitHealthy } from './target-stats.ts';
import { freePort } from './free-port.ts';
import { parseScenarioName, scenarioFile } from './scenario-name.ts';
import { targetEntry } from './target-registry.ts';
import { bundleTarget } from './target-bundle.ts';
import { logChildTo } from './log-file.ts';
import { k6RunArgs } from './k6-args.ts';
import { influxReachable, k6InfluxArgs, k6InfluxEnv } from './influx-url.ts';
import { checkCount, runBase, segmentsDigestFile } from './segments.ts';
import { mergedExitCode, runK6Segments, type SegmentOutcome } from './segments-run.ts';
import { mergeSegmentFiles } from './segments-result.ts';
import { pinnedCommand, pinRequestFromEnv, resolvePinning, type PinRequest } from './cpu-pinning.ts';
import { startConditionsProbe, type ConditionsProbe } from './conditions-probe.ts';
import { readComm } from './proc-stats.ts';
import { disturbanceBoundsFromEnv } from '../../reporters/disturbance.ts';
import { BACKEND_ENV, BACKEND_SERVER, type BrokerBackendName } from '../../targets/broker/backend-choice.ts';
import { requireBackendServer } from './backend-server.ts';

export interface RunScenarioOptions {
  /** `<target>/<profile>` */
  scenario: string;
  /** Groups the runs of one invocation; the k6 `testid` tag. */
  runId: string;
  /** Folder for this run's files (default `results/<runId>`). */
  outDir?: string;
  /** Repeat index when a scenario runs several times in one invocation (default: none, single run). */
  repeat?: number;
  /** Load-phase length passed to the scenario as TIDEMARK_DURATION (default: the scenario's own). */
  duration?: string;
  /** Use a target that is already running at this URL instead of starting one (default: start one). */
  url?: string;
  /** InfluxDB URL with the database as path, for k6's output and the harness's points (default: none). */
  influx?: string;
  /** Extra environment for the target process, such as fault knobs (default none). */
  targetEnv?: Record<string, string>;
  /** Extra `-e` variables for k6 (default none). */
  k6Vars?: Record<string, string>;
  /** Repository whose `targets/` is started: another checkout for A/B runs (default this one). */
  targetRoot?: string;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
  /** Called with the target's pid once it is healthy (fault-injection tests kill it mid-run). Default none. */
  onTargetReady?: (pid: number) => void;
  /**
   * Split the load across this many k6 processes with k6 execution segments, each tagged `instance=<i>`,
   * and merge them into one run result (see scripts/lib/segments.ts). Default 1: one k6 process.
   */
  segments?: number;
  /**
   * Pin k6 and the target to separate CPUs with taskset: `true` for the default plan (2 CPUs: k6 on 0, target
   * on 1; see scripts/lib/cpu-pinning.ts), or an explicit `{ target, k6 }` of CPU lists. Where taskset is missing
   * or there is one CPU the run goes on unpinned and its `conditions.pinNote` says why.
   * @default the TIDEMARK_PIN environment variable (`1`, `0` or `target=1;k6=0`), else false
   */
  pin?: PinRequest;
  /**
   * The broker's backend (broker scenarios only): the target gets TIDEMARK_BROKER_BACKEND, k6 gets
   * BROKER_BACKEND, the run is tagged `backend`, its files carry the name, and the backend server's CPU and RSS
   * are sampled beside the target's. Default: none (the target's own default, in-memory; files unchanged).
   */
  backend?: BrokerBackendName;
}

/** Files one run leaves behind, named after `<target>-<profile>[-r<i>]`. */
export function runFiles(outDir: string, scenario: string, repeat?: number, backend?: string) {
  const base = `${scenario.replace('/', '-')}${backend === undefined ? '' : `-${backend}`}${repeat === undefined ? '' : `-r${repeat}`}`;
  return {
    result: join(outDir, `${base}.json`),
    resources: join(outDir, `${base}.resources.json`),
    summary: join(outDir, `${base}.k6-summary.json`),
    k6Log: join(outDir, `${base}.k6.log`),
    targetLog: join(outDir, `${base}.target.log`),
  };
}

/** Runs one scenario once and returns its validated run result (also written to disk). */
export async function runScenario(opts: RunScenarioOptions): Promise<RunResult> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { target, profile } = parseScenarioName(opts.scenario);
  const script = scenarioFile(opts.scenario);
  const outDir = opts.outDir ?? repoPath('results', opts.runId);
  const files = runFiles(outDir, opts.scenario, opts.repeat, opts.backend);
  if (opts.backend !== undefined && target !== 'broker') throw new Error(`--backend applies to broker scenarios only, not ${opts.scenario}`);
  // Checked before anything starts: a backend whose server is down is the user's to start, named here.
  const serverName = opts.backend === undefined ? undefined : BACKEND_SERVER[opts.backend];
  const backendServer = serverName === undefined ? null : await requireBackendServer(serverName);
  await mkdir(outDir, { recursive: true });
  const k6 = k6Path();
  const segments = opts.segments ?? 1;
  checkCount(segments);
  if (!existsSync(k6)) throw new Error(`k6 is not built at ${k6}: run \`npm run setup\` first`);
  // Checked before a target starts: an unusable binary is a harness error, not a measurement.
  const k6VersionText = await k6Version().catch((err: Error) => {
    throw new Error(`k6 at ${k6} is unusable (${err.message}); rebuild it with \`npm run setup -- --force-k6\``);
  });
  const k6Identity = parseK6Version(k6VersionText);
  const k6Refused = k6Refusal(k6Identity, target, k6);
  if (k6Refused !== null) throw new Error(k6Refused);

  disturbanceBoundsFromEnv(); // a bad TIDEMARK_DISTURBED_* stops the run here, not after it
  const pinning = resolvePinning(opts.pin ?? pinRequestFromEnv());
  if (pinning.note) log(`  warning: ${pinning.note}`);
  else if (pinning.plan) log(`  pinned: target on CPU ${pinning.plan.target}, k6 on CPU ${pinning.plan.k6}`);

  const startedAt = new Date();
  let targetProc: ChildProcess | null = null;
  let targetExit: string | null = null;
  let baseUrl = opts.url?.replace(/\/+$/, '') ?? '';
  let k6Proc: ChildProcess | null = null;
  let samples: ResourceSample[] = [];
  // The code that ran is the target's checkout: an A run of a paired gate records A's commit, not the working tree's.
  const git = gitInfo(opts.targetRoot ?? repoRoot);
  let before: ResourceSample | null = null;
  let sampler: ResourceSampler | null = null;
  let serverSampler: ResourceSampler | null = null;
  let serverBefore: ResourceSample | null = null;
  let probe: ConditionsProbe | null = null;
  let interruptedBy: NodeJS.Signals | null = null;
  /**
   * Once a signal's hook has started, the result is the hook's (partial, invalid) and the process exits when the
   * children have stopped (children.ts handleSignals). The normal path, which wakes up when k6 is stopped, must
   * not write over it: it waits here for that exit. (It did overwrite it once in CI, with "target died".)
   */
  const unlessInterrupted = async (): Promise<void> => {
    if (interruptedBy !== null) await new Promise<never>(() => {});
  };
  const stopInterruptHook = onInterrupt(async (signal) => {
    interruptedBy = signal;
    // Keep what was measured so far: partial samples and an invalid run result saying why, before children stop.
    probe?.stop();
    if (sampler) samples = await sampler.stop();
    await writeFile(files.resources, JSON.stringify(samples));
    const partial = buildRunResult({
      runId: opts.runId,
      scenario: opts.scenario,
      repeat: opts.repeat ?? null,
      git,
      machine: machineInfo(),
      k6: { version: k6VersionText, exitCode: signal === 'SIGINT' ? 130 : 143, sseModule: k6Identity.sseModule },
      startedAt,
      finishedAt: new Date(),
      targetUrl: baseUrl,
      managedTarget: targetProc !== null,
      summary: null,
      samples,
      before,
      after: samples.at(-1) ?? null,
      targetFailure: null,
      extraReasons: [`interrupted by ${signal} before the end: partial results`],
      conditions: null,
    });
    await writeFile(files.result, `${JSON.stringify(partial, null, 2)}\n`);
  });

  try {
    if (!opts.url) {
      const port = await freePort();
      baseUrl = `http://127.0.0.1:${port}`;
      const entry = targetEntry(target, opts.targetRoot ?? repoRoot);
      const bundle = await bundleTarget(entry, opts.targetRoot ?? repoRoot, target);
      const targetCmd = pinnedCommand(pinning.plan?.target ?? null, process.execPath, [bundle, '--port', String(port)]);
      targetProc = spawnTracked(targetCmd.command, targetCmd.args, {
        cwd: opts.targetRoot ?? repoRoot,
        env: { ...process.env, ...(opts.backend === undefined ? {} : { [BACKEND_ENV]: opts.backend }), ...opts.targetEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      logChildTo(targetProc, files.targetLog);
      const proc = targetProc;
      proc.on('exit', (code, signal) => {
        targetExit = `target process exited (${signal ?? `code ${code}`}); see ${files.targetLog}`;
      });
      const ms = await waitHealthy(baseUrl, 20_000, () => targetExit);
      log(`  target ${target} healthy on ${baseUrl} after ${ms} ms`);
      // taskset execs node, so the pid sampled is node's; were it still taskset's, CPU and RSS would be taskset's.
      if (pinning.plan && proc.pid !== undefined && (await readComm(proc.pid)) === 'taskset') {
        throw new Error(`pinned target pid ${proc.pid} is still taskset after the target answered: its figures would not be the target's`);
      }
      if (proc.pid !== undefined) opts.onTargetReady?.(proc.pid);
    } else if (!(await isHealthy(baseUrl, 3000))) {
      throw new Error(`no healthy target at ${baseUrl} (GET /health failed): start it or drop --url`);
    }

    let influx = opts.influx ?? null;
    let influxWarning: string | null = null;
    if (influx !== null && !(await influxReachable(influx))) {
      influxWarning = `InfluxDB at ${influx} is unreachable: k6 samples are not recorded; the run result is kept and can be pushed later with \`npm run influx -- import ${outDir}\``;
      log(`  warning: ${influxWarning}`);
      influx = null;
    }

    sampler = startSampler(targetProc?.pid ?? null, baseUrl);
    const conditionsProbe = await startConditionsProbe({
      targetPid: targetProc?.pid ?? null,
      pinned: pinning.plan !== null,
      pinNote: pinning.note,
    });
    probe = conditionsProbe;
    before = await sampler.sample();
    // The server's CPU and RSS, with the target's /stats ops: its CPU per delivery.
    if (backendServer?.pid != null) {
      serverSampler = startSampler(backendServer.pid, baseUrl);
      serverBefore = await serverSampler.sample();
    }
    const vars: Record<string, string> = {
      TARGET_URL: baseUrl,
      ...(opts.backend === undefined ? {} : { BROKER_BACKEND: opts.backend }),
      TIDEMARK_SUMMARY_FILE: files.summary,
      ...(opts.duration ? { TIDEMARK_DURATION: opts.duration } : {}),
      ...opts.k6Vars,
    };
    const tags: Record<string, string> = {
      testid: opts.runId,
      scenario: opts.scenario,
      target,
      profile,
      git_sha: git.sha,
      branch: git.branch,
      ...(opts.repeat === undefined ? {} : { repeat: String(opts.repeat) }),
      ...(opts.backend === undefined ? {} : { backend: opts.backend }),
    };
    const args = k6RunArgs({ vars, tags, extra: influx ? k6InfluxArgs(influx) : [], script });
    let k6ExitCode: number;
    let segmentOutcomes: SegmentOutcome[] = [];
    if (segments > 1) {
      const env = { ...k6Env(), ...(influx ? k6InfluxEnv(influx) : {}) };
      const extraArgs = influx ? k6InfluxArgs(influx) : [];
      segmentOutcomes = await runK6Segments({
        k6, script, vars, tags, extraArgs, count: segments, base: runBase(files.result), env, cwd: repoRoot, log,
        cpus: pinning.plan?.k6 ?? null,
        onSpawn: (pid) => conditionsProbe.watchK6(pid),
      });
      k6ExitCode = mergedExitCode(segmentOutcomes.map((o) => o.exitCode));
    } else {
      log(`  k6 ${opts.scenario}${opts.repeat === undefined ? '' : ` (run ${opts.repeat})`}: log in ${files.k6Log}`);
      const env = { ...k6Env(), ...(influx ? k6InfluxEnv(influx) : {}) };
      const k6Cmd = pinnedCommand(pinning.plan?.k6 ?? null, k6, args);
      k6Proc = spawnTracked(k6Cmd.command, k6Cmd.args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
      if (k6Proc.pid !== undefined) conditionsProbe.watchK6(k6Proc.pid);
      logChildTo(k6Proc, files.k6Log);
      const k6Exit = await exited(k6Proc);
      k6ExitCode = k6Exit.code ?? 128;
    }
    const after = await sampler.sample();
    const serverAfter = (await serverSampler?.sample()) ?? null;
    const conditions = await conditionsProbe.finish();
    samples = await sampler.stop();
    const serverSamples = (await serverSampler?.stop()) ?? [];
    const finishedAt = new Date();

    // A target that stopped answering counts as dead even if its process lingers.
    if (targetExit === null && !(await isHealthy(baseUrl, 2000))) {
      targetExit = 'target stopped answering GET /health by the end of the run';
    }
    await unlessInterrupted();
    await writeFile(files.resources, JSON.stringify(samples));
    const summary =
      segments > 1
        ? await mergeSegmentFiles(segmentOutcomes, files.summary, segmentsDigestFile(runBase(files.result)), log)
        : existsSync(files.summary)
          ? (JSON.parse(await readFile(files.summary, 'utf8')) as K6SummaryFile)
          : null;

    let run = buildRunResult({
      runId: opts.runId,
      scenario: opts.scenario,
      repeat: opts.repeat ?? null,
      git,
      machine: machineInfo(),
      k6: { version: k6VersionText, exitCode: k6ExitCode, sseModule: k6Identity.sseModule },
      startedAt,
      finishedAt,
      targetUrl: baseUrl,
      managedTarget: targetProc !== null,
      summary,
      samples,
      before,
      after,
      targetFailure: targetExit,
      conditions,
      handlingReadings: sampler.handlingReadings(),
      backend: opts.backend === undefined ? null : { name: opts.backend, samples: serverSamples, before: serverBefore, after: serverAfter },
    });
    if (run.disturbed.length > 0) log(`  disturbed: ${run.disturbed.join('; ')}`);
    if (opts.influx) {
      const written = influx
        ? await writeRunToInflux(influx, run, samples)
        : { written: false, warning: influxWarning };
      run = { ...run, influx: { url: opts.influx, written: written.written, warning: written.warning } };
      if (written.warning && influx) log(`  warning: ${written.warning}`);
    }
    run = validateRunResult(run);
    await unlessInterrupted();
    await writeFile(files.result, `${JSON.stringify(run, null, 2)}\n`);
    return run;
  } finally {
    stopInterruptHook();
    // Timers stop on every path (a throw mid-run included), or they would keep the harness alive.
    probe?.stop();
    await sampler?.stop();
    await serverSampler?.stop();
    if (k6Proc) await stopChild(k6Proc);
    if (targetProc) await stopChild(targetProc);
  }
}
