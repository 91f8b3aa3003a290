/**
 * A price tick and its validation. Every refusal names the tick's index, the field, the
 * value and what is expected, and carries a reason code that `/stats` and `/metrics` count.
 */
import { showValue } from '../common/show-value.ts';

/** A validated tick. */
export interface Tick {
  symbol: string;
  bid: number;
  ask: number;
  /** Quantity behind the prices; weights the VWAP. */
  size: number;
  /** The sender's clock when it sent the tick, ms since the epoch (fractions allowed); undefined when not given. */
  time: number | undefined;
}

/**
 * Symbols: upper-case letters, digits and `. _ / : -`, starting with a letter or digit, 1..24
 * characters (AAPL, EUR/USD, ES.Z5, BTC-USD). Such a symbol needs no escaping in JSON or a
 * URL query, so quote frames are built by concatenation.
 */
export const SYMBOL_PATTERN = /^[A-Z0-9][A-Z0-9._/:-]{0,23}$/;

/** Why a tick (or a whole batch) was refused; the keys of the rejection counters. */
export const REJECT_REASONS = [
  'notObject',
  'badSymbol',
  'badPrice',
  'badSize',
  'badTime',
  'crossed',
  'tooManySymbols',
  'injected',
  'malformedJson',
  'badBatch',
  'oversizedBatch',
  'bodyTooLarge',
] as const;

export type RejectReason = (typeof REJECT_REASONS)[number];

export type TickResult = { ok: true; tick: Tick } | { ok: false; reason: RejectReason; error: string };

/** Describes a bad value briefly: strings quoted and cut to 40 characters, arrays and objects by name, never their content. */
export const show = (value: unknown): string => showValue(value, { style: 'kind' });

const fail = (reason: RejectReason, error: string): TickResult => ({ ok: false, reason, error });

/** A price field: a finite number above 0 (JSON has no NaN; strings like "NaN" are not numbers). */
function badPrice(name: string, value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    return `${name}=${show(value)} is invalid: expected a finite number above 0`;
  }
  return undefined;
}

/**
 * Validates one decoded JSON value as a tick. Never throws.
 * Fields: `symbol` (see SYMBOL_PATTERN), `bid` and `ask` (finite, > 0, bid <= ask), `size`
 * (finite, > 0), `time` (optional: finite ms since the epoch, >= 0).
 * @param batchTime the time of a tick without its own (the batch envelope's); default none
 */
export function parseTick(value: unknown, batchTime?: number): TickResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('notObject', `expected a tick object {"symbol","bid","ask","size","time"} but got ${show(value)}`);
  }
  const v = value as Record<string, unknown>;
  const symbol = v.symbol;
  if (typeof symbol !== 'string' || !SYMBOL_PATTERN.test(symbol)) {
    return fail('badSymbol', `symbol=${show(symbol)} is invalid: expected 1 to 24 characters [A-Z0-9._/:-] starting with a letter or digit, e.g. AAPL or EUR/USD`);
  }
  const priceError = badPrice('bid', v.bid) ?? badPrice('ask', v.ask);
  if (priceError !== undefined) return fail('badPrice', priceError);
  const bid = v.bid as number;
  const ask = v.ask as number;
  if (bid > ask) return fail('crossed', `bid ${bid} is above ask ${ask} (a crossed quote): expected bid <= ask`);
  const size = v.size;
  if (typeof size !== 'number' || !Number.isFinite(size) || size <= 0) {
    return fail('badSize', `size=${show(size)} is invalid: expected a finite number above 0`);
  }
  const time = v.time;
  if (time !== undefined && (typeof time !== 'number' || !Number.isFinite(time) || time < 0)) {
    return fail('badTime', `time=${show(time)} is invalid: expected the sender's clock in ms since the Unix epoch (a number >= 0), or no time field`);
  }
  return { ok: true, tick: { symbol, bid, ask, size, time: (time as number | undefined) ?? batchTime } };
}
