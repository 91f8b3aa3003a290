/**
 * Grafana's template expansion for the InfluxQL the dashboards use, so their queries can be run outside
 * Grafana: `$timeFilter`, `$__interval`, `$__interval_ms`, and dashboard variables with an explicit
 * format (`${name:regex}`, `${name:raw}`). The dashboards never use a variable without a format, because
 * the InfluxDB data source's default escaping differs between Grafana versions; `unformattedVariables`
 * finds any that slipped in.
 */

/** Time range and interval, as Grafana would pass them. */
export interface TimeContext {
  fromMs: number;
  toMs: number;
  /** `$__interval`, such as `1s`. */
  interval: string;
  /** `$__interval_ms`, such as 1000. */
  intervalMs: number;
}

/** A variable's current value(s); `all` marks the "All" selection (its custom all value is `.*`). */
export interface VariableValue {
  values: readonly string[];
  all?: boolean;
}

/** Grafana's `escapeRegex` (@grafana/data): escapes regex specials and `/`. */
export function escapeRegex(value: string): string {
  return value.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');
}

/** Grafana's `regex` format: one escaped value, or `(a|b)` for several. */
export function regexFormat(values: readonly string[]): string {
  const escaped = values.map(escapeRegex);
  return escaped.length === 1 ? (escaped[0] ?? '') : `(${escaped.join('|')})`;
}

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z]+))?\}|\$([A-Za-z_][A-Za-z0-9_]*)|\[\[([A-Za-z_][A-Za-z0-9_]*)\]\]/g;
const GLOBALS = new Set(['timeFilter', '__interval', '__interval_ms']);

/** Names of dashboard variables used without an explicit format (`$name`, `${name}`, `[[name]]`). */
export function unformattedVariables(query: string): string[] {
  const found: string[] = [];
  for (const m of query.matchAll(VARIABLE)) {
    const name = m[1] ?? m[3] ?? m[4] ?? '';
    if (!GLOBALS.has(name) && (m[1] === undefined || m[2] === undefined)) found.push(name);
  }
  return found;
}

/**
 * Expands one query. `${name:regex}` follows Grafana's regex format (an "All" selection gives `.*`, the
 * dashboards' custom all value); `${name:raw}` inserts the single value as is.
 * @throws Error for an unknown variable or format, or a raw variable with several values
 */
export function interpolate(query: string, vars: Readonly<Record<string, VariableValue>>, time: TimeContext): string {
  return query.replace(VARIABLE, (whole, braced?: string, format?: string, plain?: string, bracketed?: string) => {
    const name = braced ?? plain ?? bracketed ?? '';
    if (name === 'timeFilter') return `time >= ${time.fromMs}ms and time <= ${time.toMs}ms`;
    if (name === '__interval') return time.interval;
    if (name === '__interval_ms') return String(time.intervalMs);
    const v = vars[name];
    if (v === undefined) throw new Error(`${whole}: no value for variable ${name}`);
    if (format === 'regex') return v.all ? '.*' : regexFormat(v.values);
    if (format === 'raw') {
      if (v.values.length !== 1) throw new Error(`${whole}: raw format needs one value, got ${v.values.length}`);
      return v.values[0] ?? '';
    }
    throw new Error(`${whole}: the dashboards always give a format (regex or raw)`);
  });
}
