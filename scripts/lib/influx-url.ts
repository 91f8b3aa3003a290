/** What the harness needs around an InfluxDB URL: a reachability probe and k6's output flags and env. */
import { parseInfluxUrl } from '../../reporters/influx-connection.ts';

function origin(url: string): string {
  const conn = parseInfluxUrl(url);
  const host = conn.host.includes(':') ? `[${conn.host}]` : conn.host;
  return `${conn.protocol}://${host}:${conn.port}`;
}

/** True when `GET /ping` answers within `timeoutMs` (default 2000). */
export async function influxReachable(url: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(`${origin(url)}/ping`, { signal: AbortSignal.timeout(timeoutMs) });
    return res.status === 204 || res.ok;
  } catch {
    return false;
  }
}

/** The flags for k6's built-in InfluxDB v1 output; credentials never go into argv (see `k6InfluxEnv`). */
export function k6InfluxArgs(url: string): string[] {
  return ['--out', `influxdb=${origin(url)}/${encodeURIComponent(parseInfluxUrl(url).database)}`];
}

/** k6's own credential variables, filled from Tidemark's (or the URL's userinfo). */
export function k6InfluxEnv(url: string): Record<string, string> {
  const conn = parseInfluxUrl(url);
  return {
    ...(conn.username ? { K6_INFLUXDB_USERNAME: conn.username } : {}),
    ...(conn.password ? { K6_INFLUXDB_PASSWORD: conn.password } : {}),
  };
}
