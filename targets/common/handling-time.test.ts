import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { createHandlingTime, handlingTimeFromEnv } from './handling-time.ts';

describe('handling time', () => {
  it('records ms as µs, clamps to 0 .. 60 s, and snapshots a histogram that decodes to the same counts', () => {
    const h = createHandlingTime('op');
    h.record(0.0123); // 12 µs
    h.record(-1); // clock step: 0
    h.record(120_000); // beyond 60 s: 60 s
    const snap = h.snapshot();
    expect(snap).toMatchObject({ what: 'op', unit: 'us', count: 3 });
    const d = hdr.decodeFromCompressedBase64(snap.histogram);
    expect(d.totalCount).toBe(3);
    expect(d.minNonZeroValue).toBe(12);
    expect(d.maxValue).toBeGreaterThanOrEqual(59_900_000);
  });

  it('is on by default, off with TIDEMARK_HANDLING_TIME=0, and names a bad value', () => {
    expect(handlingTimeFromEnv('x', {})?.what).toBe('x');
    expect(handlingTimeFromEnv('x', { TIDEMARK_HANDLING_TIME: '1' })).toBeDefined();
    expect(handlingTimeFromEnv('x', { TIDEMARK_HANDLING_TIME: '0' })).toBeUndefined();
    expect(() => handlingTimeFromEnv('x', { TIDEMARK_HANDLING_TIME: 'off' })).toThrow('TIDEMARK_HANDLING_TIME=off: expected 1 (default) or 0');
  });
});
