/** Small numeric helpers for resource figures, on top of simple-statistics. */
import { linearRegression, median as ssMedian } from 'simple-statistics';

/** Median; 0 for an empty list. */
export function median(values: number[]): number {
  return values.length === 0 ? 0 : ssMedian(values);
}

/** Least-squares slope of y over x; 0 with fewer than two points. */
export function linearSlope(points: Array<[number, number]>): number {
  if (points.length < 2) return 0;
  return linearRegression(points).m;
}
