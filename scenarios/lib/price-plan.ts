/**
 * How many ticks a WebSocket publisher owes by a given moment: a constant rate, or the burst shape's
 * piecewise-linear rate integrated over time. Arrival-rate executors do this for HTTP batches; a
 * WebSocket session paces itself with the same schedule.
 */
import type { BurstShape } from './phases.ts';
import { burstStages } from './phases.ts';

/** A tick schedule for one publisher. */
export interface TickPlan {
  /** Length of the schedule, s. */
  durationS: number;
  /** Ticks due from the start until `elapsedS` (fractional; callers floor it). */
  dueBy(elapsedS: number): number;
}

/** `rate` ticks/s for `durationS`. */
export function constantPlan(rate: number, durationS: number): TickPlan {
  return { durationS, dueBy: (s) => rate * Math.min(Math.max(0, s), durationS) };
}

/** Parses `'12s'` as used by burstStages. */
const stageSeconds = (d: string): number => Number(d.replace(/s$/, ''));

/**
 * The burst profile (see phases.ts) at `baseRate` ticks/s rising to `factor` x: the integral of the
 * stages' linear ramps, starting from `baseRate`.
 */
export function burstPlan(shape: BurstShape, baseRate: number, factor = 10): TickPlan {
  const stages = burstStages(shape, baseRate, factor).map((s) => ({ target: s.target, seconds: stageSeconds(s.duration) }));
  const durationS = stages.reduce((sum, s) => sum + s.seconds, 0);
  return {
    durationS,
    dueBy(elapsedS) {
      let t = Math.min(Math.max(0, elapsedS), durationS);
      let from = baseRate;
      let total = 0;
      for (const stage of stages) {
        const dt = Math.min(t, stage.seconds);
        // Linear from `from` to `target` over the stage: the area of the trapezoid up to dt.
        const rateAt = from + ((stage.target - from) * dt) / stage.seconds;
        total += ((from + rateAt) / 2) * dt;
        t -= dt;
        from = stage.target;
        if (t <= 0) break;
      }
      return total;
    },
  };
}

/** A plan scaled to one of `n` publishers sharing it. */
export function sharePlan(plan: TickPlan, n: number): TickPlan {
  return { durationS: plan.durationS, dueBy: (s) => plan.dueBy(s) / n };
}
