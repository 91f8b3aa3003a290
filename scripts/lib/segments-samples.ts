/**
 * Reads the raw samples k6 writes with `--out json=<file>` (one JSON object a line, gzip when the name ends
 * in `.gz`) and keeps the values of every trend and of the trend submetrics asked for: percentiles of a
 * segmented run are computed from these, never from the segments' summaries.
 *
 * k6 v1.8.1 writes, per metric, one `{"type":"Metric","data":{"name","type","contains",...},"metric"}` line
 * before its first sample, then `{"metric","type":"Point","data":{"time","value","tags"}}` per sample.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

/** A summary metric name split into the metric and the tags its samples must carry: `m{phase:pre}`. */
export interface MetricSelector {
  /** The name as k6's summary writes it, e.g. `sse_delivery_latency{phase:pre}`. */
  name: string;
  metric: string;
  tags: Record<string, string>;
}

/**
 * Parses a summary metric name the way k6 parses submetric expressions: `metric{key:value,key2:"value"}`,
 * keys and values trimmed of spaces and quotes.
 * @throws Error for an unbalanced or empty `{...}`
 */
export function parseSelector(name: string): MetricSelector {
  const open = name.indexOf('{');
  if (open === -1) return { name, metric: name, tags: {} };
  if (!name.endsWith('}')) throw new Error(`metric name ${JSON.stringify(name)}: expected metric{tag:value,...}`);
  const tags: Record<string, string> = {};
  for (const pair of name.slice(open + 1, -1).split(',')) {
    if (pair.trim() === '') continue;
    const colon = pair.indexOf(':');
    const key = (colon === -1 ? pair : pair.slice(0, colon)).trim().replace(/^["']+|["']+$/g, '');
    const value = colon === -1 ? '' : pair.slice(colon + 1).trim().replace(/^["']+|["']+$/g, '');
    tags[key] = value;
  }
  if (Object.keys(tags).length === 0) throw new Error(`metric name ${JSON.stringify(name)}: empty tag set`);
  return { name, metric: name.slice(0, open), tags };
}

/** True when every tag of the selector is on the sample with the same value (k6's submetric match). */
export function matches(selector: MetricSelector, tags: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector.tags)) if (tags[k] !== v) return false;
  return true;
}

interface JsonLine {
  type?: string;
  metric?: string;
  data?: { type?: string; value?: number; tags?: Record<string, string> | null };
}

/** Trend values by summary name (metrics and their submetrics), and how many sample lines were read. */
export interface TrendSamples {
  values: Map<string, number[]>;
  points: number;
}

function lines(file: string): AsyncIterable<string> {
  const raw: Readable = createReadStream(file);
  const input = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  raw.on('error', (err) => input.destroy(err));
  return createInterface({ input, crlfDelay: Infinity });
}

/**
 * Collects the value of every trend sample in a k6 JSON output file, under the trend's name and under each
 * selector (submetric) it matches. Every trend seen gets an entry, also when it has no samples.
 * @param selectors submetrics to collect, e.g. from the summary's `metric{tag:value}` names
 * @throws Error naming the file and line when a line is not JSON
 */
export async function readTrendSamples(file: string, selectors: readonly MetricSelector[] = []): Promise<TrendSamples> {
  const trends = new Set<string>();
  const values = new Map<string, number[]>();
  const byMetric = new Map<string, MetricSelector[]>();
  for (const s of selectors) byMetric.set(s.metric, [...(byMetric.get(s.metric) ?? []), s]);
  const push = (name: string, v: number): void => {
    const list = values.get(name);
    if (list) list.push(v);
    else values.set(name, [v]);
  };
  let lineNo = 0;
  let points = 0;
  for await (const line of lines(file)) {
    lineNo++;
    if (line === '') continue;
    let parsed: JsonLine;
    try {
      parsed = JSON.parse(line) as JsonLine;
    } catch {
      throw new Error(`${file}:${lineNo}: not a JSON line of k6's json output`);
    }
    const metric = parsed.metric;
    if (metric === undefined) continue;
    if (parsed.type === 'Metric') {
      if (parsed.data?.type === 'trend') {
        trends.add(metric);
        if (!values.has(metric)) values.set(metric, []);
        for (const s of byMetric.get(metric) ?? []) if (!values.has(s.name)) values.set(s.name, []);
      }
      continue;
    }
    if (parsed.type !== 'Point' || !trends.has(metric)) continue;
    const value = parsed.data?.value;
    if (typeof value !== 'number') continue;
    points++;
    push(metric, value);
    const tags = parsed.data?.tags ?? {};
    for (const s of byMetric.get(metric) ?? []) if (matches(s, tags)) push(s.name, value);
  }
  return { values, points };
}
