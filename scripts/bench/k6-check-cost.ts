/**
 * Benchmark (a k6 script, not a test): what one `verdict()` (scenarios/lib/verdict.ts: a `tidemark_errors` sample
 * plus a k6 `check()`) costs k6 beyond the `tidemark_errors` sample alone, per call, interleaved over rounds.
 *   .tools/bin/k6 run --quiet -e CALLS=200000 -e ROUNDS=7 scripts/bench/k6-check-cost.ts
 * Prints one line per round and the median extra µs per call; compare it with k6's CPU per request or stream.
 */
import { Rate } from 'k6/metrics';
import { verdict } from '../../scenarios/lib/verdict.ts';

const errors = new Rate('tidemark_errors');
const CALLS = Number(__ENV.CALLS ?? 200_000);
const ROUNDS = Number(__ENV.ROUNDS ?? 7);
const TAGS = { method: 'echo', api: 'jsonrpc' };

export const options = { vus: 1, iterations: 1, summaryTrendStats: ['med'] };

function timeIt(fn: () => void): number {
  const start = Date.now();
  for (let i = 0; i < CALLS; i++) fn();
  return ((Date.now() - start) * 1000) / CALLS; // µs per call
}

export default function (): void {
  const extra: number[] = [];
  for (let r = 1; r <= ROUNDS; r++) {
    // Alternate which goes first, so drift within a round does not favour one side.
    const first = r % 2 === 0;
    const a = first ? timeIt(() => errors.add(false, TAGS)) : 0;
    const b = timeIt(() => verdict(errors, 'JSON-RPC answer as expected', true, TAGS));
    const plain = first ? a : timeIt(() => errors.add(false, TAGS));
    extra.push(b - plain);
    console.log(`round ${r}: Rate.add ${plain.toFixed(3)} µs, verdict ${b.toFixed(3)} µs, extra ${(b - plain).toFixed(3)} µs per call`);
  }
  extra.sort((x, y) => x - y);
  console.log(`median extra per verdict over ${ROUNDS} rounds of ${CALLS} calls: ${extra[Math.floor(ROUNDS / 2)]!.toFixed(3)} µs`);
}
