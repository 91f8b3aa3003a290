/** Shared CLI plumbing: --help text, argument errors that say what to do, and the exit path. */
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

/** Runs a CLI main: errors print one clear line and exit with `errorCode` (default 2). */
export function runMain(main: () => Promise<number>, errorCode = 2): void {
  handleSignals();
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(errorCode);
    },
  );
}
