/** The workloads' only source of variety: a seeded generator, so every run sends the same requests. */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** Seed of every cost workload; changing it changes every committed cost baseline. */
export const WORKLOAD_SEED = 20_240_612;

/** A function returning integers in [min, max], the same sequence for the same seed. */
export function seededInts(seed = WORKLOAD_SEED): (min: number, max: number) => number {
  const rng = xoroshiro128plus(seed);
  return (min, max) => uniformInt(rng, min, max);
}
