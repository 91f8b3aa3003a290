/**
 * The warm-up every scenario shares, one home: the first seconds of the load phase (JIT compilation in k6 and the
 * target, every VU starting at once) say nothing about steady state. Scenarios leave their latency samples out;
 * the harness starts the target's CPU-per-operation window after it (the value travels in `ScenarioMeta.warmupS`).
 * `TIDEMARK_WARMUP_S`, default 1.
 */
import { envNumber } from './env.ts';

/** Warm-up length, s. */
export const WARMUP_S = envNumber('TIDEMARK_WARMUP_S', 1, { min: 0, max: 3600 });

/** Warm-up length, ms. */
export const WARMUP_MS = WARMUP_S * 1000;
