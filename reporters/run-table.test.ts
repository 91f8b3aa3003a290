import { describe, expect, it } from 'vitest';
import { sampleRun } from './fixtures/sample-run.ts';
import { renderRunTable } from './run-table.ts';
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

  it('copes with a valid run without resources or latency', () => {
    const bare: RunResult = { ...run, valid: true, invalidReasons: [], resources: null, latencyMetric: null, thresholds: [], repeat: 2 };
    const out = renderRunTable(bare);
    expect(out).toContain('valid');
    expect(out).not.toContain('INVALID');
    expect(out).toContain('repeat 2');
    expect(out).toMatch(/CPU per op\s+│ -/);
  });
});
