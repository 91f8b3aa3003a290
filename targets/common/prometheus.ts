/**
 * Prometheus text exposition format (version 0.0.4), written by hand: a target exposes a
 * handful of families, and the format is small and stable. Rules followed here: one HELP
 * and one TYPE line per family before its samples, names matching
 * `[a-zA-Z_:][a-zA-Z0-9_:]*`, label values escaped (`\\`, `\"`, `\n`), HELP escaped
 * (`\\`, `\n`), values in Go float syntax (`NaN`, `+Inf`, `-Inf`), a trailing newline.
 * See https://prometheus.io/docs/instrumenting/exposition_formats/.
 */

/** `Content-Type` of the text format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'counter' | 'gauge' | 'summary' | 'histogram' | 'untyped';

/** One sample line: an optional name suffix (`_sum`, `_count`), labels and value. */
export interface Sample {
  /** Appended to the family name, e.g. `_sum`. Default ''. */
  suffix?: string;
  /** Label names and values. Default none. */
  labels?: Record<string, string>;
  value: number;
}

/** A metric family: its name, help text, type and samples. */
export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A number in the format's float syntax. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/**
 * Renders families as exposition text.
 * @throws Error on an invalid metric or label name (a programming error, caught by tests)
 */
export function renderPrometheus(families: MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    if (!NAME.test(f.name)) throw new Error(`invalid Prometheus metric name ${JSON.stringify(f.name)}`);
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const name = `${f.name}${s.suffix ?? ''}`;
      if (!NAME.test(name)) throw new Error(`invalid Prometheus sample name ${JSON.stringify(name)}`);
      const labels = Object.entries(s.labels ?? {});
      for (const [k] of labels) if (!LABEL.test(k) || k.startsWith('__')) throw new Error(`invalid Prometheus label name ${JSON.stringify(k)}`);
      const labelText = labels.length === 0 ? '' : `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
      lines.push(`${name}${labelText} ${formatValue(s.value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
