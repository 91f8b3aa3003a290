/**
 * The target's native clocks stood still, with libfaketime (Debian's `libfaketime`, preloaded into the target).
 *
 * V8 and Node read the clock for decisions, not only for reports: V8 sizes and times garbage collections from
 * measured allocation and collection speeds (bytes per ms), Node's HTTP server checks timeouts and refreshes its
 * `Date` header cache once a second, libuv's timers fire by it. Under valgrind every one of those moments moves
 * with the machine's load, and where it lands changes what is optimised when: identical broker runs split
 * into two counts 35 M instructions apart (a deoptimised and re-optimised stream function), 1 in 4 runs. With
 * every clock of the process frozen at one instant (`FAKETIME` absolute: "the clock stands still"), eight runs
 * under a load average of 5 agreed. JavaScript time is the virtual clock's (preload/install-clock.ts), which
 * moves only when the probe says so.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The instant the target's clocks show. */
export const FROZEN_AT = '2024-01-01 00:00:00';

/** Where Debian and others put the library; `TIDEMARK_LIBFAKETIME` first. */
function candidates(): string[] {
  const own = process.env.TIDEMARK_LIBFAKETIME;
  const multiarch = process.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
  return [
    ...(own ? [own] : []),
    `/usr/lib/${multiarch}/faketime/libfaketime.so.1`,
    '/usr/lib/faketime/libfaketime.so.1',
    '/usr/local/lib/faketime/libfaketime.so.1',
  ];
}

/** Path of libfaketime, or undefined when it is not installed. */
export function findLibfaketime(): string | undefined {
  return candidates().find((path) => existsSync(path));
}

/**
 * The environment that freezes the target's clocks.
 * @throws naming how to install libfaketime when it is missing
 */
export function frozenClockEnv(): Record<string, string> {
  const lib = findLibfaketime();
  if (!lib) {
    throw new Error(
      `libfaketime is not installed (looked for ${candidates().join(', ')}): the cost probe freezes the target's clocks with it. ` +
        'Run `npm run setup` (as root it installs it), or `apt-get install -y libfaketime`, or set TIDEMARK_LIBFAKETIME to its libfaketime.so.1',
    );
  }
  return { LD_PRELOAD: lib, FAKETIME: FROZEN_AT };
}

/** `libfaketime <version>` for the facts (the package's version where dpkg knows it, else the library's path). */
export function libfaketimeVersion(): string {
  const lib = findLibfaketime();
  if (!lib) return 'none';
  try {
    const version = execFileSync('dpkg-query', ['-W', '-f=${Version}', 'libfaketime'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
    if (version) return `libfaketime ${version}`;
  } catch {
    // not Debian: the path says which build
  }
  return `libfaketime ${lib}`;
}
