import { describe, expect, it } from 'vitest';
import { parseTick, SYMBOL_PATTERN } from './tick.ts';

const good = { symbol: 'EUR/USD', bid: 1.0841, ask: 1.0843, size: 1_000_000, time: 1_700_000_000_000.25 };

describe('parseTick', () => {
  it('accepts a valid tick, with or without time', () => {
    expect(parseTick(good)).toEqual({ ok: true, tick: good });
    const { time: _t, ...noTime } = good;
    expect(parseTick(noTime)).toEqual({ ok: true, tick: { ...noTime, time: undefined } });
    expect(parseTick({ ...good, bid: 5, ask: 5 }).ok).toBe(true); // a locked quote is not crossed
    expect(parseTick(noTime, 42)).toMatchObject({ tick: { time: 42 } }); // the batch's time
    expect(parseTick(good, 42)).toMatchObject({ tick: { time: good.time } }); // its own wins
  });

  it.each([
    ['not an object', 42, 'notObject', 'expected a tick object'],
    ['an array', [good], 'notObject', 'got an array'],
    ['null', null, 'notObject', 'got null'],
    ['lower-case symbol', { ...good, symbol: 'aapl' }, 'badSymbol', 'symbol="aapl" is invalid'],
    ['symbol with a space', { ...good, symbol: 'A B' }, 'badSymbol', 'symbol="A B"'],
    ['too long symbol', { ...good, symbol: 'A'.repeat(25) }, 'badSymbol', 'expected 1 to 24 characters'],
    ['missing symbol', { ...good, symbol: undefined }, 'badSymbol', 'symbol=undefined'],
    ['"NaN" bid', { ...good, bid: 'NaN' }, 'badPrice', 'bid="NaN" is invalid: expected a finite number above 0'],
    ['NaN ask', { ...good, ask: NaN }, 'badPrice', 'ask=NaN'],
    ['infinite ask', { ...good, ask: Infinity }, 'badPrice', 'ask=Infinity'],
    ['negative bid', { ...good, bid: -1 }, 'badPrice', 'bid=-1'],
    ['zero bid', { ...good, bid: 0 }, 'badPrice', 'bid=0'],
    ['bid above ask', { ...good, bid: 1.1, ask: 1.0 }, 'crossed', 'bid 1.1 is above ask 1 (a crossed quote)'],
    ['negative size', { ...good, size: -5 }, 'badSize', 'size=-5'],
    ['string size', { ...good, size: '5' }, 'badSize', 'size="5"'],
    ['negative time', { ...good, time: -1 }, 'badTime', 'time=-1'],
    ['string time', { ...good, time: 'now' }, 'badTime', 'time="now"'],
  ])('refuses %s with a reason and a message naming the field', (_name, value, reason, message) => {
    const r = parseTick(value);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe(reason);
      expect(r.error).toContain(message);
    }
  });

  it('symbol pattern: common tickers pass, JSON-unsafe characters do not', () => {
    for (const s of ['AAPL', 'BRK.B', 'ES.Z5', 'BTC-USD', 'EUR/USD', 'CL:NYM', '7203']) expect(SYMBOL_PATTERN.test(s), s).toBe(true);
    for (const s of ['', '.A', 'A"B', 'A\\B', 'Ä', 'A\nB']) expect(SYMBOL_PATTERN.test(s), s).toBe(false);
  });
});
