/** InfluxDB 1.x URLs (`http://host:8086/<database>`, as k6's `--out influxdb=` takes them) and credentials. */

export interface InfluxConnection {
  protocol: 'http' | 'https';
  host: string;
  port: number;
  database: string;
  username: string | undefined;
  password: string | undefined;
  /** The URL without credentials: safe to print. */
  safeUrl: string;
}

/** Environment variables that carry credentials, so they stay out of argv and logs. */
export const INFLUX_USERNAME_ENV = 'TIDEMARK_INFLUX_USERNAME';
export const INFLUX_PASSWORD_ENV = 'TIDEMARK_INFLUX_PASSWORD';

/** The database when the URL has no path: k6's own default. */
export const DEFAULT_INFLUX_DATABASE = 'k6';

/** `url` with any `user:password@` removed. Unparseable input comes back as `<invalid URL>`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '<invalid URL>';
  }
}

/**
 * Parses an InfluxDB URL. Credentials come from `TIDEMARK_INFLUX_USERNAME` / `TIDEMARK_INFLUX_PASSWORD`
 * when set, else from the URL's userinfo.
 * @param env where to read credentials (default `process.env`)
 * @throws Error when the URL is not an http(s) URL
 */
export function parseInfluxUrl(url: string, env: NodeJS.ProcessEnv = process.env): InfluxConnection {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`InfluxDB URL ${redactUrl(url)} is not a URL: expected one like http://127.0.0.1:8086/k6`);
  }
  const protocol = u.protocol.replace(/:$/, '');
  if (protocol !== 'http' && protocol !== 'https') {
    throw new Error(`InfluxDB URL ${redactUrl(url)} must be http:// or https:// (for example http://127.0.0.1:8086/k6)`);
  }
  const database = decodeURIComponent(u.pathname.replace(/^\/+|\/+$/g, '')) || DEFAULT_INFLUX_DATABASE;
  const fromUrl = (s: string): string | undefined => (s === '' ? undefined : decodeURIComponent(s));
  return {
    protocol,
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port === '' ? (protocol === 'https' ? 443 : 80) : Number(u.port),
    database,
    username: env[INFLUX_USERNAME_ENV] || fromUrl(u.username),
    password: env[INFLUX_PASSWORD_ENV] || fromUrl(u.password),
    safeUrl: `${protocol}://${u.host}/${encodeURIComponent(database)}`,
  };
}
