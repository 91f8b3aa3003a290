/** The broker backend comparison as rows, a terminal table and markdown (one set of rows serves both). */
import Table from 'cli-table3';
import type { BackendComparison, BackendEntry, FeatureCost, Figure } from './backend-comparison.ts';
import { fmtChange, fmtNumber, MISSING } from './format.ts';

/** `12.3 [11.0, 13.6]`: a geometric mean with its 95% interval over the repeats. */
function fig(f: Figure, unit = ''): string {
  if (f.mean === null) return MISSING;
  const range = f.low === null || f.high === null ? '' : ` [${fmtNumber(f.low)}, ${fmtNumber(f.high)}]`;
  return `${fmtNumber(f.mean)}${range}${unit ? ` ${unit}` : ''}`;
}

/** `+8.1% [+2.0%, +14.6%]`: what a feature adds, from the paired ratio. */
function cost(c: FeatureCost['cpuPerMessage']): string {
  return c === null ? MISSING : `${fmtChange(c.ratio - 1)} [${fmtChange(c.low - 1)}, ${fmtChange(c.high - 1)}]`;
}

/** `2000/s (8000 delivered/s); 4000/s failed; 5 runs`: the max-rate search's outcome. */
function maxRate(b: BackendEntry): string {
  const m = b.maxRate;
  if (m === null) return 'not searched';
  const best = m.rate === null ? 'none passed' : `${fmtNumber(m.rate)}/s (${fmtNumber(m.deliveredPerS)} delivered/s)`;
  const failed = m.failedAt === null ? 'none failed (step bound)' : `${fmtNumber(m.failedAt)}/s failed`;
  return `${best}; ${failed}; ${m.steps.length} runs`;
}

/** One row per figure, one column per backend, in display order. */
export function comparisonRows(c: BackendComparison): Array<[string, ...string[]]> {
  const row = (label: string, cell: (b: BackendEntry) => string): [string, ...string[]] => [label, ...c.backends.map(cell)];
  return [
    row('valid runs', (b) => `${b.validRuns} of ${b.runs}`),
    row('publish→confirm p50 / p99, ms', (b) => `${fig(b.publishConfirmP50Ms)} / ${fig(b.publishConfirmP99Ms)}`),
    row('end-to-end p50 / p99, ms', (b) => `${fig(b.e2eP50Ms)} / ${fig(b.e2eP99Ms)}`),
    row('delivered per s', (b) => fig(b.deliveredPerS)),
    row('lost (of expected)', (b) => `${b.lost.count} of ${b.lost.expected}`),
    row('duplicated / out of order', (b) => `${b.duplicated} / ${b.outOfOrder}`),
    row('broker target CPU per msg, µs', (b) => fig(b.targetCpuUsPerMessage)),
    row('broker target RSS, MB', (b) => fig(b.targetRssMB)),
    row('backend server CPU per msg, µs', (b) => fig(b.serverCpuUsPerMessage)),
    row('backend server RSS, MB', (b) => fig(b.serverRssMB)),
    row('correlation ids: CPU per msg', (b) => cost(b.costs.cid.cpuPerMessage)),
    row('correlation ids: e2e p50', (b) => cost(b.costs.cid.e2eP50)),
    row('acks: CPU per msg', (b) => cost(b.costs.ack.cpuPerMessage)),
    row('acks: e2e p50', (b) => cost(b.costs.ack.e2eP50)),
    row('highest valid rate per publisher', maxRate),
  ];
}

function heading(c: BackendComparison): string {
  return `${c.scenario}, run ${c.runId}: ${c.repeats} repeat(s) per backend, interleaved; geometric mean (arithmetic where a value is 0 or below) [95% interval over the repeats]; feature costs are paired ratios (with / without)`;
}

export function renderComparisonTable(c: BackendComparison): string {
  const table = new Table({ head: ['', ...c.backends.map((b) => b.backend)], style: { head: [], border: [] } });
  for (const r of comparisonRows(c)) table.push(r);
  return [heading(c), table.toString(), ...c.notes].join('\n');
}

export function renderComparisonMarkdown(c: BackendComparison): string {
  const cells = (xs: string[]): string => `| ${xs.join(' | ')} |`;
  const load = Object.entries(c.load).map(([k, v]) => `${k}=${v}`).join(' ');
  return [
    `# Broker backends: ${c.scenario}`,
    '',
    `${heading(c)}. Load: ${load || 'the scenario defaults'}.`,
    '',
    cells(['', ...c.backends.map((b) => b.backend)]),
    cells(['---', ...c.backends.map(() => '---')]),
    ...comparisonRows(c).map((r) => cells(r)),
    '',
    ...c.notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
}
