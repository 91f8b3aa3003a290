import { describe, expect, it } from 'vitest';
import { createHandlingTime } from '../targets/common/handling-time.ts';
import { serverLatency, type HandlingReading } from './server-latency.ts';

describe('serverLatency', () => {
  it('summarises exactly what was recorded between two readings of the cumulative histogram', () => {
    const h = createHandlingTime('op');
    for (let i = 0; i < 1000; i++) h.record(50); // 50 ms each: the warm-up, left out
    const at = (t: number): HandlingReading => ({ t, ...h.snapshot() });
    const start = at(2000);
    // 1..100 µs, ten times each: p50 50 µs, p99 99 µs, max 100 µs.
    for (let k = 0; k < 10; k++) for (let us = 1; us <= 100; us++) h.record(us / 1000);
    const end = at(7000);
    const s = serverLatency([at(1000), start, end], 2000, 7000, 1000);
    expect(s).toEqual({ what: 'op', count: 1000, fromS: 1, p50: 0.05, p90: 0.09, p95: 0.095, p99: 0.099, max: 0.1 });
  });

  it('null when a reading of the window is missing, or the window is empty in time', () => {
    const h = createHandlingTime('op');
    const r = (t: number): HandlingReading => ({ t, ...h.snapshot() });
    expect(serverLatency([r(1000)], 1000, 2000, 0)).toBeNull();
    expect(serverLatency([r(1000), r(2000)], 2000, 1000, 0)).toBeNull();
    expect(serverLatency([r(1000), { ...r(2000), histogram: 'not base64 hdr' }], 1000, 2000, 0)).toBeNull();
  });

  it('an empty window has a count of 0 and no percentiles', () => {
    const h = createHandlingTime('op');
    h.record(1);
    const r = (t: number): HandlingReading => ({ t, ...h.snapshot() });
    expect(serverLatency([r(1000), r(2000)], 1000, 2000, 0)).toMatchObject({ count: 0, p50: null, max: null });
  });
});
