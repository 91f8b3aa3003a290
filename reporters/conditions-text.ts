/** The run's conditions and disturbance as `[label, value]` rows, for the run table and any other report. */
import { fmtNumber, fmtPercent, MISSING } from './format.ts';
import type { RunConditions, RunResult } from './run-result.ts';

const load = (avg: [number, number, number] | null): string => (avg === null ? MISSING : fmtNumber(avg[0]));

/** One line per reason when disturbed, else `none`. */
export function disturbanceText(disturbed: string[]): string {
  return disturbed.length === 0 ? 'none' : ['DISTURBED', ...disturbed.map((r) => `- ${r}`)].join('\n');
}

/** Rows: disturbance, run-queue waits, machine state, CPUs. */
export function conditionsRows(run: Pick<RunResult, 'conditions' | 'disturbed'>): Array<[string, string]> {
  const c: RunConditions | null = run.conditions;
  if (c === null) return [['disturbance', MISSING]];
  const wait = (p: RunConditions['target']): string => (p === null ? MISSING : fmtPercent(p.runQueuePerCpu));
  const m = c.machine;
  const cpus = c.pinned
    ? `pinned: target ${c.target?.cpus ?? MISSING}, k6 ${c.k6?.cpus ?? MISSING}`
    : `unpinned: target ${c.target?.cpus ?? MISSING}, k6 ${c.k6?.cpus ?? MISSING}${c.pinNote ? `\n${c.pinNote}` : ''}`;
  return [
    ['disturbance', disturbanceText(run.disturbed)],
    ['run-queue wait / CPU', `target ${wait(c.target)} · k6 ${wait(c.k6)}`],
    [
      'machine',
      `steal ${fmtPercent(m.stealShare)} · busy ${fmtPercent(m.busyShare)} · CPU pressure ${fmtPercent(m.cpuPressureShare)} · load ${load(m.loadAvgStart)} → ${load(m.loadAvgEnd)}`,
    ],
    ['CPUs', cpus],
  ];
}
