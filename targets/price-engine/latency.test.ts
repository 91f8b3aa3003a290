import { describe, expect, it } from 'vitest';
import { LatencyRecorder, denseHistogram, summarize } from './latency.ts';

const US = 1000; // ns

describe('summarize', () => {
  it('reports ms with 3 significant digits of precision, nulls when empty', () => {
    const h = denseHistogram();
    for (let i = 1; i <= 100; i++) h.recordValue(i * 10 * US); // 10 µs .. 1000 µs
    const s = summarize(h);
    expect(s.count).toBe(100);
    expect(s.min).toBe(0.01);
    expect(s.p50).toBeCloseTo(0.5, 2);
    expect(s.p95).toBeCloseTo(0.95, 2);
    expect(s.p99).toBeCloseTo(0.99, 2);
    expect(s.max).toBeCloseTo(1, 2);
    expect(s.mean).toBeCloseTo(0.505, 2);
    expect(summarize(denseHistogram())).toEqual({ count: 0, min: null, mean: null, p50: null, p90: null, p95: null, p99: null, max: null });
  });
});

describe('LatencyRecorder', () => {
  it('a mark gives exactly what was recorded after it, across rotations', () => {
    let now = 1_000_000;
    const r = new LatencyRecorder(5, 16, () => now);
    for (let i = 0; i < 1000; i++) r.record(5000 * US); // 5 ms before the mark
    r.rotate();
    const mark = r.mark();
    now += 500;
    for (let i = 0; i < 100; i++) r.record(100 * US);
    r.rotate();
    for (let i = 0; i < 100; i++) r.record(200 * US); // in the open second
    const w = r.sinceMark(mark.id);
    if (w.state !== 'ok') throw new Error(`mark state ${w.state}`);
    expect(w.window.latency.count).toBe(200);
    expect(w.window.latency.max).toBeCloseTo(0.2, 3);
    expect(w.window.fromMs).toBe(mark.atMs);
    expect(r.summary().count).toBe(1200);
    expect(r.sinceMark('m999')).toEqual({ state: 'unknown' });
  });

  it('keeps at most maxMarks, forgetting the oldest', () => {
    const r = new LatencyRecorder(5, 2);
    const a = r.mark();
    r.mark();
    r.mark();
    expect(r.sinceMark(a.id).state).toBe('unknown');
    expect(r.markCount).toBe(2);
  });

  it('a delayed mark leaves out what is recorded before it is taken (a warm-up)', async () => {
    const r = new LatencyRecorder();
    const mark = r.mark(40);
    r.record(7000 * US); // during the warm-up
    expect(r.sinceMark(mark.id)).toMatchObject({ state: 'pending', atMs: mark.atMs });
    await new Promise((resolve) => setTimeout(resolve, 80));
    r.record(100 * US);
    const w = r.sinceMark(mark.id);
    expect(w.state === 'ok' && w.window.latency).toMatchObject({ count: 1, max: 0.1 });
    r.clearMarks();
  });

  it('recent() covers the last seconds only; rotate() returns the closed second', () => {
    const r = new LatencyRecorder(2, 16);
    r.record(9000 * US);
    expect(r.rotate().count).toBe(1);
    r.rotate();
    r.rotate(); // the 9 ms second has left the 2-second ring
    r.record(1000 * US);
    expect(r.recent().latency).toMatchObject({ count: 1, max: 1 });
    expect(r.summary().count).toBe(2);
  });

  it('clamps negative and huge values instead of throwing', () => {
    const r = new LatencyRecorder();
    r.record(-5);
    r.record(1e15);
    const s = r.summary();
    expect(s.count).toBe(2);
    expect(s.max).toBeGreaterThanOrEqual(59_000);
  });
});
