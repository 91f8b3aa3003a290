import { describe, expect, it } from 'vitest';
import { formatValue, renderPrometheus } from './prometheus.ts';

/** The line grammar of the text format (0.0.4): comments, or `name{labels} value`. */
const SAMPLE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\["\\n])*",?)*\})? (NaN|[+-]Inf|-?\d+(\.\d+)?(e[+-]?\d+)?)$/;

describe('renderPrometheus', () => {
  it('writes HELP and TYPE before the samples, escapes labels and help, ends with a newline', () => {
    const text = renderPrometheus([
      { name: 'x_total', help: 'a\\b\nc', type: 'counter', samples: [{ labels: { reason: 'q"u\\o\nte' }, value: 3 }] },
      { name: 'lat_seconds', help: 'h', type: 'summary', samples: [{ labels: { quantile: '0.5' }, value: NaN }, { suffix: '_sum', value: 1.5e-7 }, { suffix: '_count', value: 0 }] },
    ]);
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n');
    expect(lines.slice(0, 3)).toEqual(['# HELP x_total a\\\\b\\nc', '# TYPE x_total counter', 'x_total{reason="q\\"u\\\\o\\nte"} 3']);
    expect(lines.slice(3)).toEqual(['# HELP lat_seconds h', '# TYPE lat_seconds summary', 'lat_seconds{quantile="0.5"} NaN', 'lat_seconds_sum 1.5e-7', 'lat_seconds_count 0']);
    for (const line of lines.filter((l) => !l.startsWith('#'))) expect(line).toMatch(SAMPLE);
  });

  it('refuses invalid metric and label names', () => {
    expect(() => renderPrometheus([{ name: '1bad', help: '', type: 'gauge', samples: [] }])).toThrow('invalid Prometheus metric name');
    expect(() => renderPrometheus([{ name: 'ok', help: '', type: 'gauge', samples: [{ labels: { 'bad-label': 'x' }, value: 1 }] }])).toThrow('label name');
    expect(() => renderPrometheus([{ name: 'ok', help: '', type: 'gauge', samples: [{ labels: { __reserved: 'x' }, value: 1 }] }])).toThrow('label name');
  });

  it('formats special floats the Go way', () => {
    expect([formatValue(Infinity), formatValue(-Infinity), formatValue(NaN), formatValue(0.25)]).toEqual(['+Inf', '-Inf', 'NaN', '0.25']);
  });
});
