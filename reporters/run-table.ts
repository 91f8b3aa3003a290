/** A short terminal table of one run: the figures a person checks first. */
import Table from 'cli-table3';
import { fmtNumber, fmtPercent, MISSING } from './format.ts';
import type { RunResult } from './run-result.ts';
import { conditionsRows } from './conditions-text.ts';

export interface RunTableOptions {
  /** Widest a cell may get before its text wraps, in characters (default 72). */
  maxValueWidth?: number;
}

/** `k6 v1.8.1 (go1.26.8, linux/amd64) · k6/x/sse: <module>`: which k6, and which extension measured SSE. */
function k6Text(k6: RunResult['k6']): string {
  const sse = k6.sseModule === undefined ? MISSING : (k6.sseModule ?? 'none');
  return `${k6.version.split('\n')[0] ?? k6.version} · k6/x/sse: ${sse}`;
}

/** `[label, value]` rows of the table, in display order; exported for other renderers (markdown). */
export function runTableRows(run: RunResult): Array<[string, string]> {
  const { load, resources: res } = run;
  const unit = `${load.unit}/s`;
  const share = load.askedRate && load.achievedRate !== null ? ` (${fmtPercent(load.achievedRate / load.askedRate)})` : '';
  const latency = run.latencyMetric === null ? undefined : run.metrics[run.latencyMetric];
  const failed = run.thresholds.filter((t) => !t.ok);
  const repeat = run.repeat === null ? '' : `, repeat ${run.repeat}`;
  return [
    ['scenario', `${run.scenario} (run ${run.runId}${repeat}, ${fmtNumber(run.durationS, 's')})`],
    ['validity', run.valid ? 'valid' : ['INVALID', ...run.invalidReasons.map((r) => `- ${r}`)].join('\n')],
    ['rate asked / achieved', `${fmtNumber(load.askedRate, unit)} / ${fmtNumber(load.achievedRate, unit)}${share}`],
    ['dropped iterations', fmtNumber(load.droppedIterations)],
    [
      'latency',
      latency
        ? `p50 ${fmtNumber(latency.p50)} · p95 ${fmtNumber(latency.p95)} · p99 ${fmtNumber(latency.p99)} ms (${run.latencyMetric})`
        : MISSING,
    ],
    [
      'server-side latency',
      run.serverLatency
        ? `p50 ${fmtNumber(run.serverLatency.p50)} · p95 ${fmtNumber(run.serverLatency.p95)} · p99 ${fmtNumber(run.serverLatency.p99)} ms (${run.serverLatency.what})`
        : MISSING,
    ],
    ['error rate', fmtPercent(run.errorRate)],
    ['CPU per op', res ? fmtNumber(res.cpuMsPerOp, 'ms') : MISSING],
    ['RSS peak / steady', res ? `${fmtNumber(res.rssPeakMB, 'MB')} / ${fmtNumber(res.rssSteadyMB, 'MB')}` : MISSING],
    ['RSS per connection', res ? fmtNumber(res.rssPerConnectionKB, 'KB') : MISSING],
    [
      'thresholds failed',
      run.thresholds.length === 0
        ? MISSING
        : [`${failed.length} of ${run.thresholds.length}`, ...failed.map((t) => `- ${t.metric}: ${t.expression}`)].join('\n'),
    ],
    ['k6', k6Text(run.k6)],
    ...conditionsRows(run),
  ];
}

/** The table as a string (no colours, so it reads the same in CI logs and files). */
export function renderRunTable(run: RunResult, opts: RunTableOptions = {}): string {
  const rows = runTableRows(run);
  const longest = Math.max(...rows.flatMap(([, value]) => value.split('\n').map((line) => line.length)));
  const width = Math.min(opts.maxValueWidth ?? 72, longest);
  const table = new Table({ style: { head: [], border: [], compact: true }, wordWrap: true, colWidths: [null, width + 2] });
  for (const row of rows) table.push(row);
  return table.toString();
}
