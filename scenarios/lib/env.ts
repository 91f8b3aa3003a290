/** Typed reads of k6 `__ENV` with defaults; a bad value stops the test with a message naming the variable. */

/** Text value of `name`, or `fallback` when unset or empty. */
export function envString(name: string, fallback: string): string {
  const raw = __ENV[name];
  return raw === undefined || raw === '' ? fallback : raw;
}

/**
 * Number value of `name`, or `fallback` when unset.
 * @param opts.min smallest allowed value (default: no bound)
 * @param opts.max largest allowed value (default: no bound)
 * @param opts.integer require a whole number (default false)
 */
export function envNumber(
  name: string,
  fallback: number,
  opts: { min?: number; max?: number; integer?: boolean } = {},
): number {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  const bad =
    !Number.isFinite(value) ||
    (opts.integer === true && !Number.isInteger(value)) ||
    (opts.min !== undefined && value < opts.min) ||
    (opts.max !== undefined && value > opts.max);
  if (bad) {
    const range = `${opts.min ?? '-inf'}..${opts.max ?? 'inf'}`;
    throw new Error(`${name}=${raw} is not a valid ${opts.integer ? 'whole number' : 'number'} in ${range}`);
  }
  return value;
}

/** Duration in seconds from a k6-style value (`30s`, `2m`, `1m30s`, or plain seconds). */
export function envDurationS(name: string, fallback: string): number {
  const raw = envString(name, fallback);
  const seconds = parseDurationS(raw);
  if (seconds === null) throw new Error(`${name}=${raw} is not a duration (use 30s, 2m, 1m30s)`);
  return seconds;
}

/** Parses `1h2m3s`, `500ms`, `90` (seconds) into seconds; null when malformed. */
export function parseDurationS(text: string): number | null {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let consumed = 0;
  for (let match = re.exec(text); match !== null; match = re.exec(text)) {
    const unit = { ms: 0.001, s: 1, m: 60, h: 3600 }[match[2] as 'ms' | 's' | 'm' | 'h'];
    total += Number(match[1]) * unit;
    consumed += match[0].length;
  }
  return consumed === text.length && consumed > 0 ? total : null;
}

/** The target's base URL (`TARGET_URL`, no trailing slash). Load goes to loopback only. */
export function targetUrl(fallback: string): string {
  const url = envString('TARGET_URL', fallback).replace(/\/+$/, '');
  const host = /^https?:\/\/(\[[^\]]+\]|[^/:]+)/.exec(url)?.[1] ?? '';
  const loopback = host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
  if (!loopback && __ENV.TIDEMARK_ALLOW_REMOTE !== '1') {
    throw new Error(`TARGET_URL=${url} is not a loopback address; set TIDEMARK_ALLOW_REMOTE=1 to load a remote system you own`);
  }
  return url;
}
