/**
 * How a bad value appears in an error message: short, never a throw, never a megabyte echoed back.
 * One helper for every target; two styles keep each target's documented messages.
 */

/** How {@link showValue} renders a value. */
export interface ShowValueOptions {
  /**
   * `json` (default): the value's JSON text, cut to `maxChars` (the last three are `...`). Arrays and
   * objects are shown by content, e.g. `[1,2]`; a value too deep to stringify is named, not thrown.
   * `kind`: arrays and objects are only named (`an array`, `an object`), strings are quoted and
   * cut to `maxChars` characters before the closing quote (`"abc..."`), numbers as `String(n)`,
   * other types by `typeof` (cheap on a hot path, and never echoes a payload).
   */
  style?: 'json' | 'kind';
  /** `json`: longest text returned; `kind`: longest string content shown. Default 60 (`json`), 40 (`kind`). */
  maxChars?: number;
}

/**
 * A bad value as shown in an error message, e.g. `got ${showValue(v)}`.
 * A plain JSON.stringify overflowed the stack on a deeply nested value (turning an answer about
 * bad params into an internal error) and copied a megabyte-long string into the answer: this
 * does neither.
 */
export function showValue(value: unknown, options: ShowValueOptions = {}): string {
  if (options.style === 'kind') {
    const max = options.maxChars ?? 40;
    if (typeof value === 'string') return JSON.stringify(value.length > max ? `${value.slice(0, max)}...` : value);
    if (typeof value === 'number') return String(value);
    if (value === null) return 'null';
    if (Array.isArray(value)) return 'an array';
    return typeof value === 'object' ? 'an object' : typeof value;
  }
  const max = options.maxChars ?? 60;
  let text: string;
  if (typeof value === 'string' && value.length > max) {
    text = JSON.stringify(value.slice(0, max)); // cut first: a huge string is not copied whole
  } else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = Array.isArray(value) ? '[an array nested too deeply to show]' : `[${typeof value}]`;
    }
  }
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
