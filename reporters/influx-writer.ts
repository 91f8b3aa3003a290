/**
 * Writes points to InfluxDB 1.x without ever failing a run: an unreachable or refusing server
 * is reported as `{ written: false, warning }`, never thrown.
 */
import { InfluxDB, type IClusterConfig } from 'influx';
import { parseInfluxUrl, redactUrl, type InfluxConnection } from './influx-connection.ts';
import { runPoints, type InfluxPoint } from './influx-points.ts';
import type { ResourceSample, RunResult } from './run-result.ts';

export interface WriteOutcome {
  written: boolean;
  /** What went wrong and what to do about it; never contains credentials. Null when written. */
  warning: string | null;
}

export interface WritePointsOptions {
  /** Per-request timeout in ms; a dead server costs at most about this long (default 3000). */
  timeoutMs?: number;
  /** Where credentials are read from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Appended to a warning: how to write these points later (default: nothing). */
  retryHint?: string;
  /** Points per HTTP request (default 5000). */
  batchSize?: number;
}

export interface WriteRunOptions extends Omit<WritePointsOptions, 'retryHint'> {
  /** The run's results folder as the user would type it, for the import hint (default `results/<runId>`). */
  resultsDir?: string;
}

/** The client's back-off strategy type (not exported by `influx` itself). */
type Backoff = NonNullable<NonNullable<IClusterConfig['pool']>['backoff']>;

/** No back-off: a failed host stays in the pool, so nothing waits or keeps the process alive after a failure. */
const NO_BACKOFF: Backoff = { getDelay: () => 0, next: () => NO_BACKOFF, reset: () => NO_BACKOFF };

/** A client for one server with short timeouts and no retries. */
export function influxClient(conn: InfluxConnection, timeoutMs = 3000): InfluxDB {
  return new InfluxDB({
    hosts: [{ host: conn.host, port: conn.port, protocol: conn.protocol }],
    database: conn.database,
    ...(conn.username === undefined ? {} : { username: conn.username }),
    ...(conn.password === undefined ? {} : { password: conn.password }),
    pool: { requestTimeout: timeoutMs, maxRetries: 0, backoff: NO_BACKOFF },
  });
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT']);

/** A one-line reason, with the password scrubbed in case a server echoes it. */
function reason(err: unknown, conn: InfluxConnection | null): string {
  const e = err as { code?: unknown; message?: unknown };
  let text = typeof e?.message === 'string' && e.message !== '' ? e.message : String(err);
  if (typeof e?.code === 'string' && !text.includes(e.code)) text = `${e.code}: ${text}`;
  if (conn?.password) text = text.split(conn.password).join('***');
  return text.replace(/\s+/g, ' ').trim();
}

function isUnreachable(err: unknown): boolean {
  const e = err as { code?: unknown; name?: unknown; message?: unknown };
  return (typeof e?.code === 'string' && UNREACHABLE.has(e.code)) || e?.name === 'ServiceNotAvailableError';
}

/** Creates the database when it is missing (SHOW first, so a non-admin user can write to an existing one). */
async function ensureDatabase(client: InfluxDB, database: string): Promise<void> {
  const names = await client.getDatabaseNames();
  if (!names.includes(database)) await client.createDatabase(database);
}

/**
 * Writes `points` (millisecond precision) to the database named by the URL's path, creating it if missing.
 * @param url `http://127.0.0.1:8086/k6`; credentials from `TIDEMARK_INFLUX_USERNAME`/`_PASSWORD` or the URL
 * @returns `{ written: true, warning: null }`, or `written: false` with a warning naming the URL; never throws
 */
export async function writePoints(url: string, points: readonly InfluxPoint[], opts: WritePointsOptions = {}): Promise<WriteOutcome> {
  let conn: InfluxConnection | null = null;
  const hint = opts.retryHint ? `; ${opts.retryHint}` : '';
  try {
    conn = parseInfluxUrl(url, opts.env ?? process.env);
    const client = influxClient(conn, opts.timeoutMs ?? 3000);
    await ensureDatabase(client, conn.database);
    const size = Math.max(1, opts.batchSize ?? 5000);
    for (let i = 0; i < points.length; i += size) {
      await client.writePoints(points.slice(i, i + size), { database: conn.database, precision: 'ms' });
    }
    return { written: true, warning: null };
  } catch (err) {
    const where = conn?.safeUrl ?? redactUrl(url);
    const what = isUnreachable(err) ? 'is unreachable' : 'did not accept the points';
    return { written: false, warning: `InfluxDB at ${where} ${what} (${reason(err, conn)})${hint}` };
  }
}

/** The command that writes a saved run later. */
export function importCommand(resultsDir: string, url: string): string {
  return `npm run influx -- import ${resultsDir} --url ${redactUrl(url)}`;
}

/**
 * Writes one run (`tidemark_run`, `tidemark_run_info`) and its target samples (`tidemark_resources`).
 * Writing the same run again overwrites the same points (timestamps come from the run result).
 * @returns as `writePoints`; the warning says how to import the saved run later. Never throws.
 */
export async function writeRunToInflux(
  url: string,
  run: RunResult,
  samples: readonly ResourceSample[],
  opts: WriteRunOptions = {},
): Promise<WriteOutcome> {
  const dir = opts.resultsDir ?? `results/${run.runId}`;
  const retryHint = `the run result is kept in ${dir}/; import it later with \`${importCommand(dir, url)}\``;
  let points: InfluxPoint[];
  try {
    points = runPoints(run, samples);
  } catch (err) {
    return { written: false, warning: `run ${run.runId} could not be turned into InfluxDB points (${reason(err, null)}); ${retryHint}` };
  }
  return writePoints(url, points, { ...opts, retryHint });
}
