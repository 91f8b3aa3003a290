/**
 * Publish schedules: how many messages a publisher should have sent `t` seconds into the publish phase.
 * The publisher tops up to that count on every timer tick, so a late tick sends the backlog it owes at
 * once (open model: the schedule never waits for the broker). No k6 imports: Node tests use it.
 */
import type { BurstShape } from './phases.ts';

/** Rate as a piecewise-linear function of time: stages as k6's ramping executors take them. */
export interface Schedule {
  /** Messages due by `t` seconds (fractional), for one publisher. */
  dueBy(t: number): number;
  /** Length of the publish phase, s. */
  readonly durationS: number;
}

/** A constant `rate` messages/s for `durationS` seconds. */
export function constantSchedule(rate: number, durationS: number): Schedule {
  return { durationS, dueBy: (t) => rate * Math.min(Math.max(t, 0), durationS) };
}

/** Ramping stages (`target` rate reached linearly over `durationS`), starting from `startRate`. */
export function stagedSchedule(startRate: number, stages: Array<{ target: number; durationS: number }>): Schedule {
  const total = stages.reduce((s, x) => s + x.durationS, 0);
  return {
    durationS: total,
    dueBy(t) {
      let due = 0;
      let from = startRate;
      let elapsed = 0;
      for (const stage of stages) {
        const span = Math.min(Math.max(t - elapsed, 0), stage.durationS);
        if (span > 0) {
          const rateAtEnd = from + ((stage.target - from) * span) / stage.durationS;
          due += ((from + rateAtEnd) / 2) * span; // trapezoid: the rate ramps linearly within the stage
        }
        elapsed += stage.durationS;
        from = stage.target;
        if (t <= elapsed) break;
      }
      return due;
    },
  };
}

/** The burst profile for publishers: `baseRate`, a `factor`x spike, and back (see phases.ts burstShape). */
export function burstSchedule(shape: BurstShape, baseRate: number, factor = 10): Schedule {
  const spike = baseRate * factor;
  return stagedSchedule(baseRate, [
    { target: baseRate, durationS: shape.preS },
    { target: spike, durationS: shape.rampS },
    { target: spike, durationS: shape.spikeS },
    { target: baseRate, durationS: shape.rampS },
    { target: baseRate, durationS: shape.recoveryS },
  ]);
}

/** Seconds from the start of the burst publish phase to the end of the spike (the ramp down included). */
export function spikeEndS(shape: BurstShape): number {
  return shape.preS + 2 * shape.rampS + shape.spikeS;
}

/** Phase at `t` seconds into the burst: `pre`, `spike` (ramps included) or `recovery`. */
export function phaseAt(shape: BurstShape, t: number): 'pre' | 'spike' | 'recovery' {
  if (t < shape.preS) return 'pre';
  if (t < spikeEndS(shape)) return 'spike';
  return 'recovery';
}
