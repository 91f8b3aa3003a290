/** The k6 scenarios' message accounting and publish schedules (pure code, so tested here with Node). */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Ledger } from '../scenarios/lib/broker-ledger.ts';
import { burstSchedule, constantSchedule, phaseAt, spikeEndS, stagedSchedule } from '../scenarios/lib/broker-schedule.ts';

describe('Ledger', () => {
  it('counts a confirmed message nobody delivered as outstanding (lost at the end), per subscriber', () => {
    const l = new Ledger(2);
    for (const seq of [1, 2, 3]) l.confirm(seq);
    l.receive(0, 1, 1);
    l.receive(0, 3, 1);
    l.receive(1, 1, 1);
    l.receive(1, 2, 1);
    l.receive(1, 3, 1);
    expect(l.outstanding(0)).toBe(1);
    expect(l.outstanding(1)).toBe(0);
    expect(l.totalOutstanding()).toBe(1);
    expect(l.watermark(0)).toBe(1);
    expect(l.watermark(1)).toBe(3);
  });

  it('handles deliveries that arrive before their confirm', () => {
    const l = new Ledger(1);
    expect(l.receive(0, 1, 1)).toEqual({ first: true, duplicate: false, outOfOrder: false });
    l.confirm(1);
    l.confirm(2);
    expect(l.outstanding(0)).toBe(1);
    l.receive(0, 2, 1);
    expect(l.outstanding(0)).toBe(0);
    expect(l.confirmed).toBe(2);
    expect(l.maxConfirmed).toBe(2);
  });

  it('flags duplicates and out-of-order first deliveries, not redeliveries arriving late', () => {
    const l = new Ledger(1);
    l.receive(0, 1, 1);
    l.receive(0, 3, 1);
    expect(l.receive(0, 2, 1)).toEqual({ first: true, duplicate: false, outOfOrder: true });
    expect(l.receive(0, 3, 2)).toEqual({ first: false, duplicate: true, outOfOrder: false });
    l.receive(0, 5, 1);
    expect(l.receive(0, 4, 2)).toEqual({ first: true, duplicate: false, outOfOrder: false });
    expect(l.watermark(0)).toBe(5);
  });

  it('agrees with a naive set-based count for any delivery pattern', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 60 }), fc.boolean()), { maxLength: 200 }),
        (published, events) => {
          const l = new Ledger(1);
          const confirmed = new Set<number>();
          const got = new Set<number>();
          let dups = 0;
          for (const [seq, isConfirm] of events) {
            if (seq > published) continue;
            if (isConfirm) {
              l.confirm(seq);
              confirmed.add(seq);
            } else {
              const v = l.receive(0, seq, 1);
              if (got.has(seq)) dups++;
              expect(v.duplicate).toBe(got.has(seq));
              got.add(seq);
            }
          }
          const lost = [...confirmed].filter((s) => !got.has(s)).length;
          expect(l.outstanding(0)).toBe(lost);
          let wm = 0;
          while (got.has(wm + 1)) wm++;
          expect(l.watermark(0)).toBe(wm);
          return dups >= 0;
        },
      ),
    );
  });
});

describe('publish schedules', () => {
  it('constant: rate x elapsed, capped at the duration', () => {
    const s = constantSchedule(100, 10);
    expect(s.dueBy(0)).toBe(0);
    expect(s.dueBy(2.5)).toBe(250);
    expect(s.dueBy(60)).toBe(1000);
  });

  it('staged: integrates linear ramps', () => {
    const s = stagedSchedule(0, [
      { target: 10, durationS: 2 },
      { target: 10, durationS: 3 },
    ]);
    expect(s.durationS).toBe(5);
    expect(s.dueBy(1)).toBeCloseTo(2.5);
    expect(s.dueBy(2)).toBeCloseTo(10);
    expect(s.dueBy(5)).toBeCloseTo(40);
    expect(s.dueBy(9)).toBeCloseTo(40);
  });

  it('burst: a 10x spike between pre and recovery phases', () => {
    const shape = { preS: 7, rampS: 1, spikeS: 4, recoveryS: 7 };
    const s = burstSchedule(shape, 10);
    const rate = (t: number): number => (s.dueBy(t + 0.05) - s.dueBy(t - 0.05)) / 0.1;
    expect(rate(3)).toBeCloseTo(10);
    expect(rate(10)).toBeCloseTo(100);
    expect(rate(16)).toBeCloseTo(10);
    expect(s.durationS).toBe(20);
    expect(spikeEndS(shape)).toBe(13);
    expect([phaseAt(shape, 6.9), phaseAt(shape, 7), phaseAt(shape, 12.9), phaseAt(shape, 13)]).toEqual(['pre', 'spike', 'spike', 'recovery']);
  });
});
