/** Burst profile shape: a steady phase, a 10x spike, and the recovery after it, from one duration. */
import exec from 'k6/execution';

export interface BurstShape {
  /** Seconds of steady load before the spike. */
  preS: number;
  /** Seconds to ramp up to and down from the spike. */
  rampS: number;
  /** Seconds the spike is held. */
  spikeS: number;
  /** Seconds of steady load after the spike. */
  recoveryS: number;
}

/** Splits `durationS` into pre 35%, spike 20%, recovery 35% and two ramps of 5% (each at least 1 s). */
export function burstShape(durationS: number): BurstShape {
  const part = (share: number): number => Math.max(1, Math.round(durationS * share));
  return { preS: part(0.35), rampS: part(0.05), spikeS: part(0.2), recoveryS: part(0.35) };
}

/** `ramping-arrival-rate` stages for a steady rate, a `factor`x spike and the return (rates per second). */
export function burstStages(shape: BurstShape, baseRate: number, factor = 10): Array<{ target: number; duration: string }> {
  const spike = baseRate * factor;
  return [
    { target: baseRate, duration: `${shape.preS}s` },
    { target: spike, duration: `${shape.rampS}s` },
    { target: spike, duration: `${shape.spikeS}s` },
    { target: baseRate, duration: `${shape.rampS}s` },
    { target: baseRate, duration: `${shape.recoveryS}s` },
  ];
}

export type BurstPhase = 'pre' | 'spike' | 'recovery';

/** The phase of the burst profile at this moment: `pre`, `spike` (ramps included) or `recovery`. */
export function currentPhase(shape: BurstShape): BurstPhase {
  return phaseAt(shape, (Date.now() - exec.scenario.startTime) / 1000);
}

/**
 * `currentPhase` for calls per message: k6 builds `exec.scenario` anew on every access, so the clock reads the
 * scenario's start once, when it is made (make it in the iteration, not the init context).
 */
export function phaseClock(shape: BurstShape): () => BurstPhase {
  const start = exec.scenario.startTime;
  return () => phaseAt(shape, (Date.now() - start) / 1000);
}

/** The phase `elapsedS` seconds into the scenario. */
export function phaseAt(shape: BurstShape, elapsedS: number): BurstPhase {
  if (elapsedS < shape.preS) return 'pre';
  if (elapsedS < shape.preS + 2 * shape.rampS + shape.spikeS) return 'spike';
  return 'recovery';
}
