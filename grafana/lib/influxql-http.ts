/** Runs one InfluxQL statement over InfluxDB 1.x's HTTP API (`GET /query`), as Grafana's data source does. */

/** One series of a result. */
export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

/** A statement's series, or the error InfluxDB gave for it. */
export interface InfluxResult {
  series: InfluxSeries[];
  error: string | null;
}

interface QueryResponse {
  results?: Array<{ series?: InfluxSeries[]; error?: string }>;
  error?: string;
}

/**
 * Runs `query` against database `db` at `url` (`http://127.0.0.1:8086`), times as epoch ms.
 * @throws Error when the server does not answer or answers with a non-JSON body
 */
export async function runInfluxQL(url: string, db: string, query: string, timeoutMs = 5000): Promise<InfluxResult> {
  const params = new URLSearchParams({ db, q: query, epoch: 'ms' });
  const res = await fetch(`${url.replace(/\/+$/, '')}/query?${params}`, { signal: AbortSignal.timeout(timeoutMs) });
  const body = (await res.json()) as QueryResponse;
  const first = body.results?.[0];
  return { series: first?.series ?? [], error: body.error ?? first?.error ?? (res.ok ? null : `HTTP ${res.status}`) };
}

/** The values of one column across every series (for variable queries: `value` or `name`). */
export function columnValues(result: InfluxResult, column: string): string[] {
  return result.series.flatMap((s) => {
    const i = s.columns.indexOf(column);
    return i < 0 ? [] : s.values.map((row) => String(row[i]));
  });
}
