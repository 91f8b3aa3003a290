/**
 * The cost probe end to end, per target: real valgrind, the real target bundle, its real protocol. Small
 * workloads (each figure's two runs side by side) keep a target under about half a minute; the figures must be
 * positive, finite and repeat within the 0.5% the probe is held to.
 */
import { describe, expect, it } from 'vitest';
import { probeCost } from '../scripts/lib/cost/probe.ts';
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
    it(`${target}: instructions per operation, repeating within 0.5% over 2 figures`, async () => {
      const lines: string[] = [];
      const result = await probeCost({ target, repeat: 2, sizes, parallel: true, log: (line) => lines.push(line) });
      expect(result.runs).toHaveLength(2);
      for (const figure of result.runs) expect(Number.isFinite(figure) && figure > 0, lines.join('\n')).toBe(true);
      expect(result.spread, `${target} figures ${result.runs.join(', ')}`).toBeLessThan(0.005);
      expect(result.facts.workload).toBe(`${target}/1`);
      expect(result.sizes).toEqual(sizes);
    }, 180_000);
  }
});
