/**
 * What a scenario tells the harness about itself (written beside k6's summary data, see docs/ARCHITECTURE.md).
 * Types only, no k6 globals: Node code (reporters) imports it too.
 */

/** Facts the harness needs to turn a summary into a run result (see docs/ARCHITECTURE.md). */
export interface ScenarioMeta {
  /** `<target>/<profile>` */
  scenario: string;
  target: string;
  profile: string;
  /** The primary protocol latency metric (a Trend in ms). */
  latencyMetric: string;
  /** What one operation is: `events`, `requests`, `messages`, `ticks`. */
  unit: string;
  /** Counter of operations received or completed. */
  rateMetric: string;
  /** Counter of operations the scenario asked for; null when `askedRate` says it instead. */
  expectedMetric: string | null;
  /** Operations per second asked for, when no `expectedMetric` counts them (arrival-rate profiles). */
  askedRate: number | null;
  /** Length of the load phase, s: asked and achieved rates are counts over this time. */
  durationS: number;
  /** Rate metric of failed operations or streams. */
  errorMetric: string;
  /** Connections or sessions held in steady state, when they are the unit of memory. */
  connections: number | null;
  /**
   * Seconds at the start of the load phase left out of latency trends and of the target's CPU-per-operation
   * window (`TIDEMARK_WARMUP_S`, one home: scenarios/lib/warmup.ts; filled in by `makeHandleSummary`).
   * Summaries written before it existed lack it: the harness then takes 1.
   */
  warmupS: number;
}

