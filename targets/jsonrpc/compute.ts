/** The CPU work behind `compute`: deterministic, so its results can be cached and tested. */

/**
 * Runs `iterations` rounds of xorshift32 from a fixed seed and returns the final state.
 * About 1 ns per round on a current x86 core; the loop cannot be optimised away because
 * its result is returned. Same input, same output, on every machine.
 */
export function computeDigest(iterations: number): number {
  let x = 2463534242;
  for (let i = 0; i < iterations; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  return x >>> 0;
}
