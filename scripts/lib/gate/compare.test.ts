import { describe, expect, it } from 'vitest';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { compareAll, gateExitCode, gateVerdict, type CompareInput } from './compare.ts';
import { fakeRun } from './fake-run.ts';
import { defaultGatedFor, gatedFigures, LIMIT_GATED, SOAK_SLOPE_LIMIT_MB_PER_MIN } from './gated-metrics.ts';
import { minimumDetectableShift } from './power.ts';
import type { RunResult } from '../../../reporters/run-result.ts';
import { logTwoSample } from './stats.ts';

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
    // CPU time per operation is advisory now (instructions per operation is the primary cost figure).
    expect(r?.metrics.find((m) => m.metric === 'cpu_ms_per_op')?.verdict).toBe('advisory');
    expect(gateExitCode([r!])).toBe(1);
  });

  it('reports an improvement without failing', () => {
    // On p95: CPU time per operation, which this test used, is advisory now and never decided.
    const [r] = compareAll([input(0.7)]);
    expect(r?.verdict).toBe('pass');
    expect(r?.metrics.find((m) => m.metric === 'latency_p95')?.verdict).toBe('improvement');
  });

  it('keeps advisory figures out of the decision and out of the Holm family', () => {
    // CPU per operation 30% worse and throughput 50% short: reported with their change, never a regression.
    const worse = input(1, 1.3);
    worse.current = worse.current.map((run) => fakeRun({ p95: run.metrics.sse_delivery_latency!.p95 as number, cpu: 0.13, rate: 500 }));
    const [r] = compareAll([worse]);
    const cpu = r?.metrics.find((m) => m.metric === 'cpu_ms_per_op');
    expect(cpu).toMatchObject({ role: 'advisory', verdict: 'advisory', pAdjusted: null });
    expect(cpu!.change!).toBeGreaterThan(0.25);
    expect(r?.metrics.find((m) => m.metric === 'throughput')).toMatchObject({ role: 'advisory', verdict: 'advisory' });
    expect(r?.verdict).not.toBe('regression');
    // Holm over the primary figure alone: its adjusted p-value is its own.
    const p95 = r?.metrics.find((m) => m.metric === 'latency_p95');
    expect(p95?.pAdjusted).toBe(p95?.p);
  });

  it('calls a primary figure undecided, not ok, when its interval straddles the margin; the gate exits 0', () => {
    const noisy = [1.0, 1.3, 0.8, 1.15, 0.9, 1.1];
    const reference = noisy.map((j) => gatedFigures(fakeRun({ p95: 2 * j })));
    const current = noisy.slice(0, 3).map((j) => fakeRun({ p95: 2 * j }));
    const results = compareAll([{ scenario: 'sse/sustained', gated, reference, current }]);
    const p95 = results[0]?.metrics.find((m) => m.metric === 'latency_p95');
    expect(p95?.verdict).toBe('undecided');
    expect(p95!.ciLow!).toBeLessThan(-0.03);
    expect(p95!.ciHigh!).toBeGreaterThan(0.03);
    expect(results[0]?.verdict).toBe('undecided');
    expect(gateExitCode(results)).toBe(0);
    expect(gateVerdict(results, 0)).toBe('undecided');
  });

  it('says why a figure with a value ≤ 0 is not tested (a negative latency is a broken measurement)', () => {
    const broken = input(1);
    broken.current[1] = fakeRun({ p95: -3.8 });
    const [r] = compareAll([broken]);
    expect(r?.metrics.find((m) => m.metric === 'latency_p95')).toMatchObject({ verdict: 'insufficient', note: 'value ≤ 0 in 1 run', change: null });
    expect(r?.verdict).toBe('undecided');
  });

  it('gives every tested line its MDE at 90% power, at α/k for a Holm family of k', () => {
    const [r] = compareAll([input(1)]);
    const p95 = r!.metrics.find((m) => m.metric === 'latency_p95')!;
    const test = logTwoSample(reference.map((f) => f.latency_p95 as number), input(1).current.map((c) => c.metrics.sse_delivery_latency!.p95 as number))!;
    const shift = minimumDetectableShift(test.se, test.df, {
      qSignificance: tQuantile(1 - 0.01 / 1 / 2, test.df),
      qInterval: tQuantile(0.975, test.df),
      logMargin: Math.log(1.03),
    })!;
    expect(p95.mde).toBeCloseTo(Math.expm1(shift), 10);
    expect(p95.mde!).toBeGreaterThan(0.03);
    // Higher is better: the MDE is a fall.
    expect(r!.metrics.find((m) => m.metric === 'throughput')!.mde!).toBeLessThan(0);
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

  it('decides instructions per operation by the median ratio, without a test, from figures without run results', () => {
    const cost = (factor: number, current = [1e6 * factor, 1.001e6 * factor]): CompareInput => ({
      scenario: 'sse/cost',
      gated: { instructions_per_op: { direction: 'lower', margin: 0.005, rule: 'deterministic' } },
      reference: [{ instructions_per_op: 1e6 }, { instructions_per_op: 1.0005e6 }],
      current: [],
      currentFigures: current.map((v) => ({ instructions_per_op: v })),
    });
    const [worse, same, empty] = compareAll([cost(1.05), cost(1.002), cost(1, [])]);
    expect(worse?.metrics[0]).toMatchObject({ rule: 'deterministic', role: 'primary', verdict: 'regression', p: null, pAdjusted: null, mde: 0.005 });
    expect(worse?.metrics[0]?.change).toBeCloseTo(1.05 * 1.0005e6 / 1.00025e6 - 1, 10);
    expect(worse?.verdict).toBe('regression');
    expect(same?.metrics[0]?.verdict).toBe('unchanged');
    expect(same?.verdict).toBe('pass');
    expect(empty?.metrics[0]?.verdict).toBe('insufficient');
    expect(empty?.verdict).toBe('undecided');
  });

  it('pairs interleaved A/B runs', () => {
    const a = jitter.map((j) => fakeRun({ p95: 2 * j * (1 + j * 3) }));
    const b = a.map((run) => fakeRun({ p95: (run.metrics.sse_delivery_latency?.p95 as number) * 1.1 }));
    const [r] = compareAll([{ scenario: 'sse/sustained', gated, reference: a.map(gatedFigures), referenceRuns: a, current: b, paired: true }]);
    const p95 = r?.metrics.find((m) => m.metric === 'latency_p95');
    expect(p95?.method).toBe('paired');
    expect(p95?.verdict).toBe('regression');
  });

  it('decides memory per connection in a paired gate, and only reports it against a baseline (it drifts over minutes)', () => {
    const memory = { rss_per_connection_kb: { direction: 'lower' as const, margin: 0.05 } };
    const rss = (kb: number): Record<string, number | null> => ({ rss_per_connection_kb: kb });
    const a = jitter.map((j) => rss(150 * j));
    const b = a.map((f) => rss((f.rss_per_connection_kb as number) * 1.3));
    const input = (paired: boolean): CompareInput => ({ scenario: 'sse/sustained', gated: memory, reference: a, current: [], currentFigures: b, paired });
    const [pairedGate] = compareAll([input(true)]);
    const [againstBaseline] = compareAll([input(false)]);
    expect(pairedGate?.metrics[0]).toMatchObject({ role: 'primary', verdict: 'regression' });
    expect(againstBaseline?.metrics[0]).toMatchObject({ role: 'advisory', verdict: 'advisory', pAdjusted: null });
    expect(againstBaseline?.metrics[0]?.change).toBeGreaterThan(0.25);
    expect(againstBaseline?.verdict).toBe('pass');
  });

  it('paired: drops a figure no run has, and tests only complete pairs', () => {
    const a = jitter.map((j) => fakeRun({ p95: 2 * j }));
    const b = a.map((run) => fakeRun({ p95: (run.metrics.sse_delivery_latency?.p95 as number) * 1.1 }));
    const ref = a.map(gatedFigures);
    ref[2] = { ...ref[2], latency_p95: null };
    const noMemory = { ...defaultGatedFor('sse/sustained') };
    const figures = (runs: RunResult[]) => runs.map((r) => ({ ...gatedFigures(r), rss_per_connection_kb: null }));
    const [r] = compareAll([{ scenario: 'sse/sustained', gated: noMemory, reference: figures(a).map((f, i) => ({ ...f, latency_p95: ref[i]!.latency_p95 ?? null })), current: b, currentFigures: figures(b), paired: true }]);
    expect(r?.metrics.map((m) => m.metric)).not.toContain('rss_per_connection_kb');
    const p95 = r?.metrics.find((m) => m.metric === 'latency_p95');
    expect(p95?.verdict).toBe('regression');
    expect(p95?.change).toBeCloseTo(0.1, 10);
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
