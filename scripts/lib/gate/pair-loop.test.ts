import { describe, expect, it } from 'vitest';
import type { MetricComparison, ScenarioComparison } from '../../../reporters/gate-report.ts';
import { lookSchedule, type Look } from './looks.ts';
import { runPairLoop, type PairLoopOptions } from './pair-loop.ts';

/** A fake gate: each pair takes 10 s of a fake clock; `decideAt` says after how many pairs a scenario is decided. */
function fakeGate(decideAt: Record<string, number>, over: Partial<PairLoopOptions> = {}) {
  let clockMs = 0;
  const pairs = new Map<string, number[]>();
  const lines: string[] = [];
  const comparison = (scenario: string, look: Look): ScenarioComparison => {
    const n = pairs.get(scenario)?.length ?? 0;
    const open = n < (decideAt[scenario] ?? Infinity);
    const m = { scenario, metric: 'latency_p95', role: 'primary', change: 0.01, ciLow: -0.1, ciHigh: 0.12, ciLevel: look.level, verdict: open ? 'undecided' : 'unchanged' } as MetricComparison;
    return { scenario, verdict: open ? 'undecided' : 'pass', runs: n, invalid: [], sloFailures: [], metrics: [m] };
  };
  const opts: PairLoopOptions = {
    scenarios: Object.keys(decideAt),
    looks: lookSchedule(3, 12, 0.01, 0.95),
    budgetMs: Infinity,
    elapsedMs: () => clockMs,
    runPair: async (s, pair) => {
      clockMs += 10_000;
      pairs.set(s, [...(pairs.get(s) ?? []), pair]);
      return 'ok';
    },
    compare: (scenarios, look) => scenarios.map((s) => comparison(s, look)),
    log: (line) => lines.push(line),
    ...over,
  };
  return { opts, pairs, lines };
}

describe('runPairLoop', () => {
  it('adds pairs until each scenario is decided at a look, and the rest run to max-pairs', async () => {
    const { opts, pairs, lines } = fakeGate({ 'sse/sustained': 5, 'sse/churn': 99 });
    const result = await runPairLoop(opts);
    expect(pairs.get('sse/sustained')).toEqual([1, 2, 3, 4, 5, 6]);
    expect(pairs.get('sse/churn')).toHaveLength(12);
    expect(result.stoppedBy).toBe('max-pairs');
    expect(result.decided.get('sse/sustained')).toMatchObject({ verdict: 'pass', look: { index: 2, of: 4, pairs: 6 } });
    expect(result.decided.get('sse/churn')).toMatchObject({ verdict: 'undecided', look: { index: 4, pairs: 12 } });
    // A progress line per pair, with the open figure's interval, and a line per look.
    expect(lines).toContain('  sse/churn pair 4 (B A), look 2 at 6 · latency_p95 +1.0% [-10.0%, +12.0%]');
    expect(lines.filter((l) => l.startsWith('look '))).toHaveLength(4);
  });

  it('stops when every scenario is decided', async () => {
    const { opts, pairs } = fakeGate({ 'sse/sustained': 3 });
    const result = await runPairLoop(opts);
    expect(pairs.get('sse/sustained')).toHaveLength(3);
    expect(result).toMatchObject({ stoppedBy: 'decided', pairs: 3 });
  });

  it('does not start a look that would not finish within the budget (the first look always runs)', async () => {
    // 2 scenarios × 10 s a pair: look 1 (3 pairs) ends at 60 s, look 2 at 120 s; a 100 s budget stops after look 1.
    const { opts, pairs, lines } = fakeGate({ 'sse/sustained': 99, 'sse/churn': 99 }, { budgetMs: 100_000 });
    const result = await runPairLoop(opts);
    expect(result).toMatchObject({ stoppedBy: 'budget', pairs: 3 });
    expect(pairs.get('sse/churn')).toHaveLength(3);
    expect(result.decided.get('sse/churn')).toMatchObject({ verdict: 'undecided', look: { index: 1 } });
    expect(lines.some((l) => /^budget: look 2 at 6 pairs needs about 60 s more, 40 s left: stopping$/.test(l))).toBe(true);
  });

  it('drops a scenario that cannot go on (its data end between looks: the caller reports it)', async () => {
    const { opts, pairs } = fakeGate({ 'sse/sustained': 99, 'sse/churn': 6 });
    const runPair = opts.runPair;
    const result = await runPairLoop({ ...opts, runPair: async (s, pair) => (s === 'sse/sustained' && pair === 5 ? 'stop' : runPair(s, pair)) });
    expect(result.decided.has('sse/sustained')).toBe(false);
    expect(pairs.get('sse/sustained')).toHaveLength(4);
    expect(result.decided.get('sse/churn')?.verdict).toBe('pass');
  });

  it('with one look it is a fixed-size paired gate', async () => {
    const { opts, pairs } = fakeGate({ 'sse/sustained': 99 }, { looks: [{ pairs: 5, alpha: 0.01, level: 0.95 }] });
    const result = await runPairLoop(opts);
    expect(pairs.get('sse/sustained')).toHaveLength(5);
    expect(result.decided.get('sse/sustained')?.look).toMatchObject({ index: 1, of: 1, alpha: 0.01, level: 0.95 });
  });
});
