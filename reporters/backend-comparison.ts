/**
 * The broker backend comparison's model: `results/<runId>/backends.json` (schema `tidemark.backends/1`), built by
 * scripts/lib/backend-comparison.ts and rendered by backend-table.ts.
 */
export const COMPARISON_SCHEMA = 'tidemark.backends/1';

/** One run of the highest-valid-rate search (scripts/lib/backend-max-rate.ts). */
export interface RateStep {
  /** `BROKER_RATE`: messages per second per publisher. */
  rate: number;
  pass: boolean;
  /** Delivered messages per second the run achieved. */
  deliveredPerS: number | null;
  /** Why it failed: invalid reasons, losses, failed thresholds; empty when it passed. */
  why: string[];
}

export interface MaxRate {
  /** The highest rate that passed (null when even the first failed). */
  rate: number | null;
  deliveredPerS: number | null;
  /** The lowest rate that failed (null when none did within the steps: the bound was the step count). */
  failedAt: number | null;
  steps: RateStep[];
}

/**
 * A figure over the repeats: geometric mean and its 95% t-interval, taken on the log scale (the figures are
 * positive and their spread is relative, so the interval never crosses zero); the arithmetic mean and its
 * t-interval when a value is 0 or below (a latency read on a whole-millisecond clock). Null bounds below 2 values.
 */
export interface Figure {
  mean: number | null;
  low: number | null;
  high: number | null;
  n: number;
}

/** What one feature costs on a backend: the paired ratio full / without over the repeats, with its 95% interval. */
export interface FeatureCost {
  /** CPU per delivered message, broker target + backend server. */
  cpuPerMessage: { ratio: number; low: number; high: number; pairs: number } | null;
  /** End-to-end p50. */
  e2eP50: { ratio: number; low: number; high: number; pairs: number } | null;
}

export interface BackendEntry {
  backend: string;
  /** Runs with every feature on, and how many of them were valid. */
  runs: number;
  validRuns: number;
  invalidReasons: string[];
  publishConfirmP50Ms: Figure;
  publishConfirmP99Ms: Figure;
  e2eP50Ms: Figure;
  e2eP99Ms: Figure;
  deliveredPerS: Figure;
  /** Confirmed deliveries never received, over every full run: `count` of `expected`. */
  lost: { count: number; expected: number };
  duplicated: number;
  outOfOrder: number;
  /** The broker target's CPU per delivered message, µs, and its steady RSS, MB. */
  targetCpuUsPerMessage: Figure;
  targetRssMB: Figure;
  /** The backend's server process (null figures for the in-memory backend). */
  serverCpuUsPerMessage: Figure;
  serverRssMB: Figure;
  costs: { cid: FeatureCost; ack: FeatureCost };
  /** The highest rate it sustained validly (backend-max-rate.ts); null when the search was not run. */
  maxRate: MaxRate | null;
}

export interface BackendComparison {
  schema: typeof COMPARISON_SCHEMA;
  runId: string;
  scenario: string;
  /** The load every run got: the scenario's k6 variables. */
  load: Record<string, string>;
  repeats: number;
  backends: BackendEntry[];
  notes: string[];
}
