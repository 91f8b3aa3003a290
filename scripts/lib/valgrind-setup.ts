/**
 * `npm run setup`'s valgrind step: the cost probe (`npm run cost`, `instructions_per_op` in the gate) counts
 * instructions with Debian's valgrind (cachegrind). Installed when missing and running as root on Debian or
 * Ubuntu; otherwise the one command to run is printed, as for InfluxDB.
 */

export const VALGRIND_INSTALL_COMMAND = 'sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends valgrind';

/** What the step needs from setup.ts. */
export interface SetupTools {
  /** Absolute path of an executable on PATH, or undefined. */
  which(name: string): string | undefined;
  /** Runs a command with inherited stdio; resolves with its exit code. */
  runInherit(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<number>;
  log(line: string): void;
  /** Running as root. */
  isRoot: boolean;
}

/**
 * Makes valgrind available. Returns false when it is still missing (the way to install it was printed).
 * @throws when apt-get fails as root
 */
export async function ensureValgrind(tools: SetupTools): Promise<boolean> {
  const found = tools.which('valgrind');
  if (found) {
    tools.log(`valgrind: found ${found}`);
    return true;
  }
  const skip = 'everything but the cost probe (npm run cost, the gate\'s instructions per operation; `npm run gate -- --skip-cost` without it) works without it';
  if (!tools.which('apt-get')) {
    tools.log(`valgrind: not on PATH and this is not a Debian/Ubuntu system. Install valgrind 3.19 or later (https://valgrind.org), then re-run npm run setup; ${skip}`);
    return false;
  }
  if (!tools.isRoot) {
    tools.log('valgrind: not on PATH. Install it with:');
    tools.log(`  ${VALGRIND_INSTALL_COMMAND}`);
    tools.log(`  (${skip}); then re-run npm run setup`);
    return false;
  }
  tools.log('valgrind: apt-get update');
  let code = await tools.runInherit('apt-get', ['update']);
  if (code !== 0) throw new Error(`apt-get update exited ${code}; check the apt sources and network, then re-run npm run setup`);
  tools.log('valgrind: apt-get install valgrind');
  code = await tools.runInherit('apt-get', ['install', '-y', '--no-install-recommends', 'valgrind'], { ...process.env, DEBIAN_FRONTEND: 'noninteractive' });
  if (code !== 0) throw new Error(`apt-get install valgrind exited ${code}; fix the apt error above, then re-run npm run setup`);
  const after = tools.which('valgrind');
  if (!after) throw new Error(`installed valgrind but it is still not on PATH (${process.env.PATH ?? ''}); add /usr/bin to PATH`);
  tools.log(`valgrind: installed ${after}`);
  return true;
}
