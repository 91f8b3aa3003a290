/**
 * Benchmark (not a test): the noise floor of unchanged runs under each run configuration, interleaved, so a
 * noise control is kept only when it measurably helps (docs/GATE.md "Noise controls").
 *   npx tsx scripts/bench/noise-aa.ts [--scenario sse/sustained] [--runs 15] [--configs default,pin] [--duration 5s]
 * Each round runs every configuration once, in a rotating order; the figure per configuration is the standard
 * deviation of the log of each gated figure across its runs (the t-test works on logs, so this is the noise it
 * sees), with a 90% bootstrap interval.
 */
import { median } from 'simple-statistics';
import { mkdir, writeFile } from 'node:fs/promises';
import { parseCli, positiveInt, runMain } from '../lib/cli.ts';
import { repoPath } from '../lib/repo.ts';
import { newRunId } from '../lib/run-id.ts';
import { gitInfo } from '../lib/repo.ts';
import { runScenario, type RunScenarioOptions } from '../lib/run-scenario.ts';
import { gatedFigures } from '../lib/gate/gated-metrics.ts';
import { seededRandom } from '../lib/gate/accuracy.ts';
import { loadAverage } from '../lib/machine.ts';
import type { RunResult } from '../../reporters/run-result.ts';

const USAGE = `
usage: npx tsx scripts/bench/noise-aa.ts [options]

Runs a scenario on the unchanged tree under several run configurations, interleaved, and prints the
standard deviation of log(figure) per configuration (the noise the gate's t-test sees).

options:
  --scenario S   scenario (default sse/sustained)
  --runs N       runs per configuration (default 15)
  --configs L    comma-separated: ${'${CONFIG_NAMES}'} (default default,pin)
  --duration D   load phase per run (default 5s)
  -h, --help     this text
`;

/** Run configurations that can be compared; each differs from `default` in one noise control. */
const CONFIGS: Record<string, Partial<RunScenarioOptions>> = {
  default: { pin: false },
  pin: { pin: true },
  'no-handling-time': { pin: false, targetEnv: { TIDEMARK_HANDLING_TIME: '0' } },
  // SSE only: the JavaScript per-event path k6 used before the extension measured in Go (issue 17).
  'js-meter': { pin: false, k6Vars: { SSE_MEASURE: 'js' } },
  // A longer warm-up before latency samples and the CPU window start (scenarios/lib/warmup.ts; default 1 s).
  'warmup-2s': { pin: false, k6Vars: { TIDEMARK_WARMUP_S: '2' } },
  // k6's samples recorded live to a local InfluxDB (`npm run influx -- start`): its overhead on the figures.
  influx: { pin: false, influx: process.env.TIDEMARK_INFLUX_URL || 'http://127.0.0.1:8086/k6' },
};

/**
 * The figures compared: the gated ones, plus the tick-based CPU per operation (the figure schedstat replaced)
 * and the server-side handling time, measured on the same runs.
 */
function figuresOf(run: RunResult): Record<string, number | null> {
  return {
    ...gatedFigures(run),
    cpu_ms_per_op_ticks: run.resources?.cpuMsPerOpTicks ?? null,
    server_p50: run.serverLatency?.p50 ?? null,
    server_p95: run.serverLatency?.p95 ?? null,
  };
}

function sdLog(values: number[]): number | null {
  const logs = values.filter((v) => v > 0).map(Math.log);
  if (logs.length < 3) return null;
  const mean = logs.reduce((s, x) => s + x, 0) / logs.length;
  return Math.sqrt(logs.reduce((s, x) => s + (x - mean) ** 2, 0) / (logs.length - 1));
}

/** 90% percentile-bootstrap interval of `statistic` over resamples of `values` (1000 resamples, seeded). */
function bootstrap90(values: number[], statistic: (sample: number[]) => number | null, seed: number): [number, number] | null {
  const random = seededRandom(seed);
  const stats: number[] = [];
  for (let b = 0; b < 1000; b++) {
    const stat = statistic(values.map(() => values[Math.floor(random() * values.length)] as number));
    if (stat !== null) stats.push(stat);
  }
  if (stats.length === 0) return null;
  stats.sort((x, y) => x - y);
  return [stats[Math.floor(0.05 * stats.length)] as number, stats[Math.floor(0.95 * stats.length)] as number];
}

/**
 * With two configurations, round by round: the median over rounds of (second / first) − 1, with a 90% bootstrap
 * interval over rounds; null with fewer than 3 rounds where both have it.
 */
function pairedChange(first: RunResult[], second: RunResult[], figure: string): { change: number; ci: [number, number]; pairs: number } | null {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(first.length, second.length); i++) {
    const a = first[i] as RunResult;
    const b = second[i] as RunResult;
    const x = a.valid ? figuresOf(a)[figure] : null;
    const y = b.valid ? figuresOf(b)[figure] : null;
    if (typeof x === 'number' && typeof y === 'number' && x > 0 && y > 0) ratios.push(y / x);
  }
  const ci = ratios.length < 3 ? null : bootstrap90(ratios, median, 11);
  return ci === null ? null : { change: median(ratios) - 1, ci: [ci[0] - 1, ci[1] - 1], pairs: ratios.length };
}

/** 90% percentile-bootstrap interval of sdLog. */
function sdLogInterval(values: number[]): [number, number] | null {
  return values.length < 3 ? null : bootstrap90(values, sdLog, 7);
}


runMain(async () => {
  const usage = USAGE.replace('${CONFIG_NAMES}', Object.keys(CONFIGS).join(', '));
  const { values } = parseCli(usage, { scenario: { type: 'string' }, runs: { type: 'string' }, configs: { type: 'string' }, duration: { type: 'string' } });
  const scenario = values.scenario ?? 'sse/sustained';
  const runs = positiveInt('--runs', values.runs, 15);
  const names = (values.configs ?? 'default,pin').split(',').map((s) => s.trim());
  for (const n of names) if (!Object.hasOwn(CONFIGS, n)) throw new Error(`--configs: unknown configuration ${n}; known: ${Object.keys(CONFIGS).join(', ')}`);
  const runId = newRunId(gitInfo().sha);
  const outDir = repoPath('results', runId);
  await mkdir(outDir, { recursive: true });
  const results = new Map<string, RunResult[]>(names.map((n) => [n, []]));
  const loadStart = loadAverage();
  const started = Date.now();
  for (let round = 0; round < runs; round++) {
    // Rotate the order so no configuration always runs first (warm caches, a drifting machine).
    const order = names.map((_, i) => names[(i + round) % names.length] as string);
    for (const name of order) {
      const run = await runScenario({ scenario, runId, outDir: `${outDir}/${name}`, repeat: round + 1, duration: values.duration ?? '5s', log: () => {}, ...CONFIGS[name] });
      results.get(name)?.push(run);
      const state = run.valid ? (run.disturbed.length > 0 ? `valid, disturbed (${run.disturbed.join('; ')})` : 'valid') : `INVALID ${run.invalidReasons.join('; ')}`;
      process.stderr.write(`round ${round + 1}/${runs} ${name}: ${state}\n`);
    }
  }
  const loadEnd = loadAverage();
  const lines = [`noise A/A: ${scenario}, ${runs} runs per configuration, interleaved; load average ${loadStart} at start, ${loadEnd} at end; ${((Date.now() - started) / 60000).toFixed(1)} min`, ''];
  lines.push(`| figure | ${names.map((n) => `${n}: sd(log) [90% CI], median`).join(' | ')} |`);
  lines.push(`|---|${names.map(() => '---').join('|')}|`);
  const figureNames = Object.keys(figuresOf((results.get(names[0] as string) ?? [])[0] as RunResult));
  const table: Record<string, Record<string, { sd: number | null; ci: [number, number] | null; median: number | null; n: number }>> = {};
  for (const figure of figureNames) {
    const cells = names.map((n) => {
      const v = (results.get(n) ?? []).filter((r) => r.valid).map((r) => figuresOf(r)[figure]).filter((x): x is number => typeof x === 'number' && x > 0);
      const sd = sdLog(v);
      const ci = sdLogInterval(v);
      (table[figure] ??= {})[n] = { sd, ci, median: v.length ? median(v) : null, n: v.length };
      return sd === null ? '–' : `${sd.toFixed(3)} [${ci?.[0].toFixed(3)}, ${ci?.[1].toFixed(3)}], ${median(v).toPrecision(3)} (n ${v.length})`;
    });
    lines.push(`| ${figure} | ${cells.join(' | ')} |`);
  }
  const marked = names.map((n) => {
    const all = results.get(n) ?? [];
    return `${n} ${all.filter((r) => r.disturbed.length > 0).length}/${all.length}`;
  });
  if (names.length === 2) {
    const [first, second] = names as [string, string];
    lines.push('', `paired change, ${second} against ${first} (median over rounds of the ratio − 1, 90% bootstrap interval):`);
    for (const figure of figureNames) {
      const c = pairedChange(results.get(first) ?? [], results.get(second) ?? [], figure);
      if (c !== null) lines.push(`- ${figure}: ${(100 * c.change).toFixed(1)}% [${(100 * c.ci[0]).toFixed(1)}%, ${(100 * c.ci[1]).toFixed(1)}%] (${c.pairs} pairs)`);
    }
  }
  lines.push('', `runs marked disturbed: ${marked.join(', ')}; invalid: ${names.map((n) => `${n} ${(results.get(n) ?? []).filter((r) => !r.valid).length}`).join(', ')}`);
  await writeFile(`${outDir}/noise-aa.json`, `${JSON.stringify({ scenario, runs, names, loadStart, loadEnd, table }, null, 2)}\n`);
  process.stdout.write(`${lines.join('\n')}\nraw: results/${runId}/noise-aa.json\n`);
  return 0;
});
