/** Shared CLI plumbing: --help text, argument errors that say what to do, and the exit path. */
import { isAbsolute, relative } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { handleSignals } from './children.ts';

export class UsageError extends Error {}

/**
 * Parses argv with node:util parseArgs; `--help` prints `usage` and exits 0; a bad flag exits 2 with the usage.
 */
export function parseCli<T extends NonNullable<ParseArgsConfig['options']>>(
  usage: string,
  options: T,
  argv = process.argv.slice(2),
) {
  try {
    const parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    if ((parsed.values as Record<string, unknown>).help === true) {
      process.stdout.write(`${usage.trim()}\n`);
      process.exit(0);
    }
    return parsed;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${usage.trim()}\n`);
    process.exit(2);
  }
}

/** A positive whole number from a flag, or a UsageError naming the flag. */
export function positiveInt(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${flag} ${raw}: expected a whole number of at least 1`);
  return value;
}

/** Names of variables that hold secrets: never taken from the command line (`-e`), whose argv `ps` and shell history show. */
export const SECRET_ENV_NAME = /TOKEN|PASSWORD|SECRET/i;

/** True when `name` looks like a secret (`TIDEMARK_AUTH_TOKEN`, `K6_INFLUXDB_PASSWORD`, ...): see {@link SECRET_ENV_NAME}. */
export function isSecretEnvName(name: string): boolean {
  return SECRET_ENV_NAME.test(name);
}

/**
 * The `-e, --env KEY=VALUE` pairs of a CLI (repeatable; a later KEY wins; the value may hold `=` or be empty).
 * @param secretHint where a refused secret should come from instead (default: export it in the environment)
 * @throws UsageError for a pair without `KEY=`, or a KEY that looks like a secret (see {@link isSecretEnvName})
 */
export function parseEnvPairs(pairs: readonly string[] | undefined, secretHint?: (name: string) => string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new UsageError(`--env ${pair}: expected KEY=VALUE`);
    const name = pair.slice(0, eq);
    if (isSecretEnvName(name)) {
      // Name the key only: the value is the secret.
      const hint = secretHint?.(name) ?? `export ${name} in the environment instead (the harness passes its environment on)`;
      throw new UsageError(`--env ${name}=...: secrets are not taken on the command line (argv shows in ps and in shell history); ${hint}`);
    }
    vars[name] = pair.slice(eq + 1);
  }
  return vars;
}

/** Runs a CLI main: errors print one clear line and exit with `errorCode` (default 2); a UsageError always with 2. */
export function runMain(main: () => Promise<number>, errorCode = 2): void {
  handleSignals();
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(err instanceof UsageError ? 2 : errorCode);
    },
  );
}

/** A path as a user reads it: relative to the working directory when inside it, else absolute. */
export function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}
