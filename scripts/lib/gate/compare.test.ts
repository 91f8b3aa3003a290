import { describe, expect, it } from 'vitest';
import { compareAll, gateExitCode, type CompareInput } from './compare.ts';
import { fakeRun } from './fake-run.ts';
import { defaultGatedFor, gatedFigures, LIMIT_GATED, SOAK_SLOPE_LIMIT_MB_PER_MIN } from './gated-metrics.ts';
import type { RunResult } from '../../../reporters/run-result.ts';

/** A soak run whose target RSS grew `slope` MB/min after its first 2 minutes. */
function soakRun(slope: number): RunResult {
  const run = fakeRun({ p95: 2 });
  return { ...run, scenario: 'sse/soak', profile: 'soak', resources: { ...run.resources!, rssSlopeMBPerMin: slope } };
}

const gated = {
  latency_p95: { direction: 'lower' as const, margin: 0.03 },
  cpu_ms_per_op: { direction: 'lower' as const, margin: 0.03 },
  throughput: { direction: 'higher' as const, margin: 0.02 },
};
// Run-to-run noise of about 1% around 2.0 ms p95 and 0.1 ms CPU per op.
const jitter = [1.0, 1.012, 0.991, 1.004, 0.995, 1.008];
const reference = jitter.map((j) => gatedFigures(fakeRun({ p95: 2 * j, cpu: 0.1 * j })));

function input(p95Factor: number, cpuFactor = 1, runs = 3): CompareInput {
  const current = jitter.slice(0, runs).map((j, i) => fakeRun({ p95: 2 * p95Factor * jitter[(i + 2) % 6]!, cpu: 0.1 * cpuFactor * j }));
  return { scenario: 'sse/sustained', gated, reference, current };
}

describe('compareAll', () => {
  it('passes an unchanged build', () => {
    const [r] = compareAll([input(1)]);
    expect(r?.verdict).toBe('pass');
    expect(r?.metrics.map((m) => m.verdict)).not.toContain('regression');
    expect(gateExitCode([r!])).toBe(0);
  });

  it('fails a 20% p95 regression, naming the metric and the scenario', () => {
    const [r] = compareAll([input(1.2)]);
    expect(r?.verdict).toBe('regression');
    const p95 = r?.metrics.find((m) => m.metric === 'latency_p95');
    expect(p95).toMatchObject({ scenario: 'sse/sustained', verdict: 'regression' });
    expect(p95!.change!).toBeGreaterThan(0.15);
    expect(r?.metrics.find((m) => m.metric === 'cpu_ms_per_op')?.verdict).toBe('unchanged');
    expect(gateExitCode([r!])).toBe(1);
  });

  it('reports an improvement without failing', () => {
    const [r] = compareAll([input(1, 0.7)]);
    expect(r?.verdict).toBe('pass');
    expect(r?.metrics.find((m) => m.metric === 'cpu_ms_per_op')?.verdict).toBe('improvement');
  });

  it('does not call a significant change inside the margin a regression', () => {
    // +1.5% is detectable with 1% noise but below the 3% practical margin.
    const [r] = compareAll([input(1.015, 1, 6)]);
    expect(r?.metrics.find((m) => m.metric === 'latency_p95')?.verdict).not.toBe('regression');
  });

  it('makes any invalid run an invalid scenario (exit 2), even with a regression elsewhere', () => {
    const bad = input(1);
    bad.current[1] = fakeRun({ p95: 2 }, { valid: false, invalidReasons: ['target died: killed'], repeat: 2 });
    const results = compareAll([bad, input(1.3)]);
    expect(results[0]?.verdict).toBe('invalid');
    expect(results[0]?.invalid[0]).toMatch(/run 2: target died: killed/);
    expect(gateExitCode(results)).toBe(2);
  });

  it('counts a failed absolute threshold as a regression', () => {
    const slo = input(1);
    slo.current[0] = fakeRun({ p95: 2 }, { thresholds: [{ metric: 'sse_gaps', expression: 'count==0', ok: false }] });
    const [r] = compareAll([slo]);
    expect(r?.verdict).toBe('regression');
    expect(r?.sloFailures).toEqual(['sse_gaps: count==0']);
  });

  it('pairs interleaved A/B runs', () => {
    const a = jitter.map((j) => fakeRun({ p95: 2 * j * (1 + j * 3) }));
    const b = a.map((run) => fakeRun({ p95: (run.metrics.sse_delivery_latency?.p95 as number) * 1.1 }));
    const [r] = compareAll([{ scenario: 'sse/sustained', gated, reference: a.map(gatedFigures), referenceRuns: a, current: b, paired: true }]);
    const p95 = r?.metrics.find((m) => m.metric === 'latency_p95');
    expect(p95?.method).toBe('paired');
    expect(p95?.verdict).toBe('regression');
  });
});

describe('percentiles need enough samples', () => {
  it('leaves out p99 of a run with too few latency samples', () => {
    const run = fakeRun({ p95: 2 });
    run.metrics.sse_delivery_latency!.count = 600;
    const figures = gatedFigures(run);
    expect(figures.latency_p99).toBeNull();
    expect(figures.latency_p95).toBe(2);
  });

  describe('soak RSS slope, an absolute limit', () => {
    const soak = (slopes: number[]): CompareInput => ({ scenario: 'sse/soak', gated: LIMIT_GATED, reference: [], current: slopes.map(soakRun) });

    it('flags a median slope above the limit as a regression, without any reference runs', () => {
      const [r] = compareAll([soak([9.5, 12, 11])]);
      expect(r?.verdict).toBe('regression');
      expect(r?.metrics).toEqual([
        expect.objectContaining({ metric: 'rss_slope_mb_per_min', current: 11, limit: SOAK_SLOPE_LIMIT_MB_PER_MIN, verdict: 'regression', p: null }),
      ]);
    });

    it('passes flat and negative slopes (a log-scale test could not even take them)', () => {
      const [r] = compareAll([soak([0.3, -0.4, SOAK_SLOPE_LIMIT_MB_PER_MIN])]);
      expect(r?.verdict).toBe('pass');
      expect(r?.metrics[0]?.verdict).toBe('unchanged');
    });

    it('says too few runs when no run measured a slope', () => {
      const [r] = compareAll([{ ...soak([1]), current: [fakeRun({ p95: 2 })] }]);
      expect(r?.metrics[0]?.verdict).toBe('insufficient');
    });

    it('is gated for soak scenarios only: elsewhere a 15-second slope is start-up noise', () => {
      expect(Object.keys(defaultGatedFor('sse/soak'))).toContain('rss_slope_mb_per_min');
      expect(Object.keys(defaultGatedFor('sse/sustained'))).not.toContain('rss_slope_mb_per_min');
      expect(gatedFigures(soakRun(3)).rss_slope_mb_per_min).toBe(3);
      expect(gatedFigures({ ...soakRun(3), profile: 'churn' }).rss_slope_mb_per_min).toBeNull();
    });
  });
});
