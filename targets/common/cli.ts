/**
 * Command line of every target: `--port N`, `--host H`, `--help` (ARCHITECTURE "Target contract").
 */
import { parseArgs } from 'node:util';

/** What a target entry describes about itself for `--help`. */
export interface TargetCliSpec {
  /** Target name, e.g. `sse`. */
  name: string;
  /** Port used when `--port` is not given (blueprint defaults: 8081..8084). */
  defaultPort: number;
  /** One paragraph printed under the usage line (endpoints, env vars). Default: none. */
  details?: string;
}

/** The parsed command line: run on host:port, or print help. */
export type TargetCli = { kind: 'run'; port: number; host: string } | { kind: 'help'; text: string };

/** A command-line mistake: the message says what was wrong and what to do. Entry points exit 2 on it. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Default bind address: loopback only, load never leaves the machine unless asked. */
export const DEFAULT_HOST = '127.0.0.1';

/** Usage text for `--help` and for usage errors. */
export function usage(spec: TargetCliSpec): string {
  const head = [
    `usage: node --import tsx targets/${spec.name}/index.ts [--port N] [--host H]`,
    `       npm run target -- ${spec.name} [--port N] [--host H]`,
    '',
    `  --port N   TCP port, 0..65535 (0 = any free port; the bound one is printed). Default ${spec.defaultPort}`,
    `  --host H   address to bind. Default ${DEFAULT_HOST}`,
    '  --help     this text',
  ].join('\n');
  return spec.details ? `${head}\n\n${spec.details}` : head;
}

/** Parses a port string strictly: digits only, 0..65535. */
export function parsePort(raw: string): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
    throw new UsageError(`--port ${JSON.stringify(raw)} is invalid: expected an integer from 0 to 65535.`);
  }
  return Number(raw);
}

/**
 * Parses a target's argv (without node and script paths).
 * @param argv default `process.argv.slice(2)`
 * @throws UsageError on an unknown flag, a missing value or a bad port/host
 */
export function parseTargetCli(spec: TargetCliSpec, argv: string[] = process.argv.slice(2)): TargetCli {
  let values: { port?: string | undefined; host?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message}. Run with --help for the options.`);
  }
  if (values.help) return { kind: 'help', text: usage(spec) };
  const port = values.port === undefined ? spec.defaultPort : parsePort(values.port);
  const host = values.host ?? DEFAULT_HOST;
  if (host.trim() === '' || /\s/.test(host)) {
    throw new UsageError(`--host ${JSON.stringify(host)} is invalid: expected an address such as 127.0.0.1 or ::1.`);
  }
  return { kind: 'run', port, host };
}
