/**
 * Decides whether other work disturbed a run: its processes waited for a CPU far more than usual, or the
 * hypervisor stole time. A disturbed run stays valid (it measured what was asked) but its figures carry the
 * disturbance, so it is marked (`RunResult.disturbed`) for the gate to show instead of counting it silently.
 * The bounds are in docs/GATE.md, "Noise controls", with how they were chosen.
 */
import type { RunConditions } from './run-result.ts';

export interface DisturbanceBounds {
  /** Largest target run-queue wait per ms of target CPU time (`TIDEMARK_DISTURBED_TARGET_WAIT`). */
  targetRunQueuePerCpu: number;
  /** Largest k6 run-queue wait per ms of k6 CPU time (`TIDEMARK_DISTURBED_K6_WAIT`). */
  k6RunQueuePerCpu: number;
  /** Largest share of the machine's CPU time stolen by the hypervisor (`TIDEMARK_DISTURBED_STEAL`). */
  stealShare: number;
}

/** Defaults, from quick runs on a busy shared machine (docs/GATE.md): to be re-checked on a quiet one. */
export const DEFAULT_DISTURBANCE_BOUNDS: DisturbanceBounds = { targetRunQueuePerCpu: 0.5, k6RunQueuePerCpu: 1, stealShare: 0.02 };

const pct = (x: number): string => `${(x * 100).toFixed(0)}%`;

/** Every reason the run counts as disturbed; empty when it does not (or when nothing could be read). */
export function disturbanceReasons(c: RunConditions | null, bounds: DisturbanceBounds = DEFAULT_DISTURBANCE_BOUNDS): string[] {
  if (c === null) return [];
  const reasons: string[] = [];
  const wait = (who: 'target' | 'k6', perCpu: number | null | undefined, bound: number): void => {
    if (perCpu === null || perCpu === undefined || perCpu <= bound) return;
    reasons.push(`${who} waited for a CPU ${pct(perCpu)} of the time it ran (run queue; bound ${pct(bound)})`);
  };
  wait('target', c.target?.runQueuePerCpu, bounds.targetRunQueuePerCpu);
  wait('k6', c.k6?.runQueuePerCpu, bounds.k6RunQueuePerCpu);
  const steal = c.machine.stealShare;
  if (steal !== null && steal > bounds.stealShare) {
    reasons.push(`hypervisor stole ${(steal * 100).toFixed(1)}% of the machine's CPU time (bound ${(bounds.stealShare * 100).toFixed(1)}%)`);
  }
  return reasons;
}

/** Reads the bounds from the environment; each falls back to its default when unset. */
export function disturbanceBoundsFromEnv(env: NodeJS.ProcessEnv = process.env): DisturbanceBounds {
  const read = (name: string, fallback: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0 || value > max) throw new Error(`${name}=${raw}: expected a number between 0 and ${max}`);
    return value;
  };
  const d = DEFAULT_DISTURBANCE_BOUNDS;
  return {
    targetRunQueuePerCpu: read('TIDEMARK_DISTURBED_TARGET_WAIT', d.targetRunQueuePerCpu, 1000),
    k6RunQueuePerCpu: read('TIDEMARK_DISTURBED_K6_WAIT', d.k6RunQueuePerCpu, 1000),
    stealShare: read('TIDEMARK_DISTURBED_STEAL', d.stealShare, 1),
  };
}
