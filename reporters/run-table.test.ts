import { describe, expect, it } from 'vitest';
import { sampleRun } from './fixtures/sample-run.ts';
import { renderRunTable, runTableRows } from './run-table.ts';
import type { RunResult } from './run-result.ts';

describe('renderRunTable', () => {
  const run = sampleRun();
  const text = renderRunTable(run);

  it('shows scenario, validity with reasons, rates and drops', () => {
    expect(text).toContain('sse/sustained (run 20261122T132800Z-abc1234, 6.50 s)');
    expect(text).toContain('INVALID');
    expect(text).toContain('- dropped 40 iterations');
    expect(text).toContain('50 events/s / 47.9 events/s (95.80 %)');
    expect(text).toMatch(/dropped iterations\s+│ 40 /);
  });

  it('names the k6 and the module that provided k6/x/sse (none, or not recorded in older results)', () => {
    const k6Row = (k6: RunResult['k6']): string | undefined => runTableRows({ ...run, k6 }).find(([label]) => label === 'k6')?.[1];
    const pinned = 'k6 v1.8.1 (go1.26.8, linux/amd64)\nExtensions:\n  github.com/tidemark/tidemark/k6/sse , k6/x/sse [js]';
    expect(k6Row({ version: pinned, exitCode: 0, sseModule: 'github.com/tidemark/tidemark/k6/sse' })).toBe('k6 v1.8.1 (go1.26.8, linux/amd64) · k6/x/sse: github.com/tidemark/tidemark/k6/sse');
    expect(k6Row({ version: 'k6 v1.3.0', exitCode: 0, sseModule: null })).toBe('k6 v1.3.0 · k6/x/sse: none');
    expect(k6Row({ version: 'v1.8.1', exitCode: 0 })).toBe('v1.8.1 · k6/x/sse: -');
    expect(renderRunTable(run)).toMatch(/│ k6 +│/);
  });

  it('shows latency percentiles of the latency metric', () => {
    const m = run.metrics.tidemark_fixture_latency;
    expect(text).toContain(`p95 ${m?.p95?.toFixed(2)} · p99 ${m?.p99?.toFixed(2)} ms (tidemark_fixture_latency)`);
  });

  it('shows error rate, CPU, RSS and failed thresholds', () => {
    expect(text).toContain('10.67 %');
    expect(text).toContain('2.80 ms');
    expect(text).toContain('61.5 MB / 58.3 MB');
    expect(text).toContain('12.5 KB');
    expect(text).toContain('1 of 7');
    expect(text).toContain('- tidemark_fixture_latency: p(99)<0.001');
    expect(text).not.toContain('\u001b['); // no colour codes
  });

  it('shows the run\'s conditions: no disturbance, run-queue waits, machine, pinning', () => {
    expect(text).toMatch(/disturbance\s+│ none /);
    expect(text).toContain('target 5.00 % · k6 10.00 %');
    expect(text).toContain('steal 0.00 % · busy 55.00 % · CPU pressure 4.00 % · load 0.800 → 1.10');
    expect(text).toContain('pinned: target 1, k6 0');
  });

  it('shows a disturbed run with its reasons, and an unpinned run with the note saying why', () => {
    const c = run.conditions!;
    const out = renderRunTable({
      ...run,
      disturbed: ['target waited for a CPU 80% of the time it ran (run queue; bound 50%)'],
      conditions: { ...c, pinned: false, pinNote: 'pinning asked for but not applied: no taskset', target: { ...c.target!, cpus: '0-1' } },
    });
    expect(out).toContain('DISTURBED');
    expect(out).toContain('- target waited for a CPU 80% of the time it ran');
    expect(out).toContain('unpinned: target 0-1, k6 0');
    expect(out).toContain('pinning asked for but not applied: no taskset');
    expect(renderRunTable({ ...run, conditions: null })).toMatch(/disturbance\s+│ - /);
  });

  it('copes with a valid run without resources or latency', () => {
    const bare: RunResult = { ...run, valid: true, invalidReasons: [], resources: null, latencyMetric: null, thresholds: [], repeat: 2 };
    const out = renderRunTable(bare);
    expect(out).toContain('valid');
    expect(out).not.toContain('INVALID');
    expect(out).toContain('repeat 2');
    expect(out).toMatch(/CPU per op\s+│ -/);
  });
});
