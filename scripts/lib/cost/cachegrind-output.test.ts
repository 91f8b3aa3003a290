import { describe, expect, it } from 'vitest';
import { instructionsFromCachegrind, parseCachegrindTotals } from './cachegrind-output.ts';

// The shape valgrind 3.19 writes with --cache-sim=no (per-function lines shortened).
const OUTPUT = `desc: I1 cache:         32768 B, 64 B, 8-way associative
cmd: node --single-threaded --predictable bundle.mjs --port 41234
events: Ir
fl=???
fn=Builtins_LoadIC
0 1200
fn=x509_pubkey_ex_new_ex
0 13230
summary: 1708540573
`;

describe('cachegrind output', () => {
  it('reads the instruction total from the summary line', () => {
    expect(instructionsFromCachegrind(OUTPUT)).toBe(1_708_540_573);
  });

  it('maps several events to their totals in order, and accepts the older totals: spelling', () => {
    expect(parseCachegrindTotals('events: Ir I1mr ILmr\ntotals: 100 7 3\n')).toEqual({ Ir: 100, I1mr: 7, ILmr: 3 });
  });

  it('says what is wrong with a truncated or foreign file', () => {
    expect(() => instructionsFromCachegrind('events: Ir\nfn=x\n0 5\n')).toThrow(/no `summary:` line: the process was killed/);
    expect(() => instructionsFromCachegrind('summary: 5\n')).toThrow(/no `events:` line/);
    expect(() => parseCachegrindTotals('events: Ir Dr\nsummary: 5\n')).toThrow(/2 events \(Ir Dr\) but 1 totals/);
    expect(() => parseCachegrindTotals('events: Ir\nsummary: -4\n')).toThrow(/total of Ir is "-4"/);
    expect(() => instructionsFromCachegrind('events: Dr\nsummary: 9\n')).toThrow(/not Ir/);
  });
});
