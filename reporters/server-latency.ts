/**
 * The target's own handling time over a window of the run, from two readings of its cumulative histogram
 * (targets/common/handling-time.ts): later minus earlier is exactly what happened in between.
 */
import * as hdr from 'hdr-histogram-js';
import type { ServerLatency } from './run-result.ts';

/** One `GET /stats/handling-time` answer, taken with the resource sample of the same `t`. */
export interface HandlingReading {
  /** ms since the epoch (the resource sample's `t`) */
  t: number;
  what: string;
  count: number;
  /** Cumulative histogram of µs, compressed base64. */
  histogram: string;
}

const ms = (us: number): number => Math.round(us) / 1000;

/**
 * Summary (ms) of what the target recorded between the readings at `fromT` and `toT` (sample times); null when
 * either reading is missing or undecodable.
 * @param runStartT the run's `before` mark, for `fromS`
 */
export function serverLatency(readings: HandlingReading[], fromT: number, toT: number, runStartT: number): ServerLatency | null {
  const from = readings.find((r) => r.t === fromT);
  const to = readings.find((r) => r.t === toT);
  if (!from || !to || to.t <= from.t) return null;
  let window: hdr.Histogram;
  try {
    window = hdr.decodeFromCompressedBase64(to.histogram);
    window.subtract(hdr.decodeFromCompressedBase64(from.histogram));
  } catch {
    return null;
  }
  const count = window.totalCount;
  const at = (p: number): number | null => (count > 0 ? ms(window.getValueAtPercentile(p)) : null);
  return {
    what: to.what,
    count,
    fromS: Math.max(0, (from.t - runStartT) / 1000),
    p50: at(50),
    p90: at(90),
    p95: at(95),
    p99: at(99),
    max: count > 0 ? ms(window.maxValue) : null,
  };
}
