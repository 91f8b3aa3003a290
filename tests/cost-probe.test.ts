/**
 * The cost probe end to end, per target: real valgrind, the real target bundle, its real protocol. Small
 * workloads (each figure's two runs side by side) keep a target under about half a minute. The figures must be
 * positive and finite, and two of them must agree within the gate's 0.25% (`AGREEMENT`): the gate takes up to two
 * more figures when its first two disagree (about one figure in 10-20 is moved 1-2% by a JIT event), and so does
 * this test. A probe that stopped repeating fails here.
 */
import { describe, expect, it } from 'vitest';
import { costResult, prepareCostProbe, type CostRun } from '../scripts/lib/cost/probe.ts';
import { AGREEMENT, agreeing, untilAgreed } from '../scripts/lib/gate/cost-margin.ts';
import type { TargetName } from '../scripts/lib/target-registry.ts';

/** Operations of the small and large workloads: past the first requests, far below the defaults. */
const SIZES: Record<TargetName, { small: number; large: number }> = {
  sse: { small: 2000, large: 4000 },
  jsonrpc: { small: 200, large: 400 },
  broker: { small: 300, large: 600 },
  'price-engine': { small: 400, large: 800 },
};

describe('cost probe under valgrind', () => {
  for (const [target, sizes] of Object.entries(SIZES) as Array<[TargetName, { small: number; large: number }]>) {
    it(`${target}: instructions per operation, two figures within ${AGREEMENT * 100}% (at most four taken)`, async () => {
      const lines: string[] = [];
      const probe = await prepareCostProbe({ target, sizes, parallel: true, log: (line) => lines.push(line) });
      const runs: CostRun[] = [];
      let failed = true;
      try {
        const measure = async (): Promise<number> => {
          const run = await probe.measure();
          runs.push(run);
          return run.instructionsPerOp;
        };
        await untilAgreed([await measure(), await measure()], measure, (line) => lines.push(line), target);
        failed = false;
      } finally {
        await probe.dispose(failed);
      }
      const result = costResult(probe, runs);
      for (const figure of result.runs) expect(Number.isFinite(figure) && figure > 0, lines.join('\n')).toBe(true);
      expect(agreeing(result.runs).length, `${target} figures ${result.runs.join(', ')}`).toBeGreaterThanOrEqual(2);
      expect(result.facts.workload).toBe(`${target}/1`);
      expect(result.sizes).toEqual(sizes);
    }, 360_000);
  }
});
