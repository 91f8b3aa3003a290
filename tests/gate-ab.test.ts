/**
 * Paired A/B gate with real k6: the targets of a git ref (A, a worktree of HEAD) and of the working tree (B)
 * run interleaved; an injected fault in B is caught pairwise, an unchanged B passes.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGate } from '../scripts/lib/gate/run-gate.ts';

const saved = { ...process.env };
beforeAll(() => {
  process.env.SSE_CONNECTIONS = '10';
});
afterAll(() => {
  process.env = saved;
});

// Five pairs: with fewer, a paired t-test has too few degrees of freedom to call even a 50x change significant.
const abGate = (runId: string, targetEnv: Record<string, string>, repeat: number) =>
  runGate({ only: 'sse/sustained', repeat, against: 'HEAD', duration: '2s', alpha: 0.01, allowMachineMismatch: false, runId, targetEnv, cost: 'skip', log: () => {} });

describe('paired A/B gate against HEAD', () => {
  it('catches a fault injected into B only, comparing runs pairwise', async () => {
    const report = await abGate(`it-ab-fail-${process.pid}`, { TIDEMARK_FAULT_DELAY_MS: '15' }, 5);
    expect(report.mode).toBe('ab');
    expect(report.against).toBe('HEAD');
    const p50 = report.scenarios[0]?.metrics.find((m) => m.metric === 'latency_p50');
    expect(p50?.method).toBe('paired');
    expect(p50?.verdict).toBe('regression');
    expect(report.exitCode).toBe(1);
    await rm(`results/${report.runId}`, { recursive: true, force: true });
  }, 150_000);

  it('adaptive: a warm-up run per side, pairs up to the first look at least, then stops within the budget', async () => {
    const lines: string[] = [];
    const report = await runGate({
      only: 'sse/sustained', against: 'HEAD', duration: '2s', alpha: 0.01, allowMachineMismatch: false, runId: `it-ab-adaptive-${process.pid}`,
      minPairs: 2, maxPairs: 4, budgetS: 1, cost: 'skip', log: (line) => lines.push(line),
    });
    expect(report.exitCode, lines.join('\n')).toBe(0);
    expect(report.adaptive).toMatchObject({ minPairs: 2, maxPairs: 4, looks: [{ pairs: 2 }, { pairs: 4 }] });
    // A 1-second budget: the first look always runs, the second never fits (unless the first decided everything).
    expect(['budget', 'decided']).toContain(report.adaptive?.stoppedBy);
    expect(report.scenarios[0]).toMatchObject({ runs: 2, look: { index: 1, of: 2, pairs: 2 } });
    expect(existsSync(`results/${report.runId}/warmup/A`) && existsSync(`results/${report.runId}/warmup/B`)).toBe(true);
    expect(lines.some((l) => /sse\/sustained pair 2 \(B A\), look 1 at 2/.test(l))).toBe(true);
    await rm(`results/${report.runId}`, { recursive: true, force: true });
  }, 150_000);

  it('passes when A and B are the same code', async () => {
    const report = await abGate(`it-ab-pass-${process.pid}`, {}, 3);
    expect(report.scenarios[0]?.invalid).toEqual([]);
    expect(report.scenarios[0]?.metrics.filter((m) => m.verdict === 'regression')).toEqual([]);
    expect(report.exitCode).toBe(0);
    await rm(`results/${report.runId}`, { recursive: true, force: true });
  }, 150_000);
});
