/** What a cost driver is: the fixed, seeded, closed-loop workload of one target, through its real protocol. */
import type { TargetName } from '../../target-registry.ts';

/** What a driver may do with the target it drives. */
export interface DriveContext {
  /** Loopback port of the target. */
  readonly port: number;
  /** Moves the target's virtual clock forward (see virtual-clock.ts); only the SSE workload needs it. */
  advanceClock(ms: number): void;
  /**
   * Resolves once the target is idle (idle-wait.ts). Drivers await it before each request, frame or clock step:
   * the target then meets every one of them in the same state, whatever the timing.
   */
  idle(): Promise<void>;
}

export interface CostDriver {
  readonly target: TargetName;
  /** One operation, as the target's `/stats` `ops` counts it (for reports). */
  readonly unit: string;
  /**
   * Operations of the two workloads whose difference is measured: `small` warms up (JIT tiers, caches, heap
   * growth), `large` runs the same and then `large - small` more. Drivers may round to their step size.
   */
  readonly sizes: { small: number; large: number };
  /** Target settings the workload needs, beside the fault knobs (default none). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Runs about `ops` operations, one at a time (each waits for its answer), then closes every connection it
   * opened and waits until the target has closed them too. The same `ops` gives the same requests, byte for
   * byte, in the same order.
   */
  drive(ctx: DriveContext, ops: number): Promise<void>;
}
