/**
 * Per-second points for the dashboard chart and current throughput: ticks, quotes and errors
 * in each closed second, and that second's latency percentiles. A fixed-length ring, so the
 * memory never grows with uptime.
 */
import { errorCount, type PeCounters } from './counters.ts';
import type { LatencySummary } from './latency.ts';

/** One closed second. Latency figures in ms, null when no quote was emitted in it. */
export interface SeriesPoint {
  /** End of the second, ms since the epoch. */
  t: number;
  ticks: number;
  quotes: number;
  errors: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/** Points kept: two minutes at one a second. */
export const SERIES_LENGTH = 120;

export class Series {
  private readonly points: SeriesPoint[] = [];
  private last = { ticks: 0, quotes: 0, errors: 0, at: 0 };

  /** @param nowEpochMs clock (default Date.now) */
  constructor(private readonly nowEpochMs: () => number = Date.now) {
    this.last.at = nowEpochMs();
  }

  /**
   * Closes a second: counts since the previous call, scaled to per second (the timer may be
   * late under load), and the closed second's latency.
   */
  push(counters: PeCounters, latency: LatencySummary): SeriesPoint {
    const now = this.nowEpochMs();
    const seconds = Math.max(0.001, (now - this.last.at) / 1000);
    const errors = errorCount(counters);
    const perS = (n: number): number => Math.round((n / seconds) * 10) / 10;
    const point: SeriesPoint = {
      t: now,
      ticks: perS(counters.ticksProcessed - this.last.ticks),
      quotes: perS(counters.quotesEmitted - this.last.quotes),
      errors: perS(errors - this.last.errors),
      p50: latency.p50,
      p95: latency.p95,
      p99: latency.p99,
      max: latency.max,
    };
    this.last = { ticks: counters.ticksProcessed, quotes: counters.quotesEmitted, errors, at: now };
    this.points.push(point);
    if (this.points.length > SERIES_LENGTH) this.points.shift();
    return point;
  }

  /** Oldest first. */
  all(): SeriesPoint[] {
    return [...this.points];
  }

  /** The newest point, or undefined before the first second closed. */
  latest(): SeriesPoint | undefined {
    return this.points[this.points.length - 1];
  }
}
