/**
 * `npm run setup`'s step for the cost probe (`npm run cost`, `instructions_per_op` in the gate): Debian's valgrind
 * (cachegrind counts the instructions) and libfaketime (freezes the target's clocks, scripts/lib/cost/frozen-clock.ts).
 * Installed when missing and running as root on Debian or Ubuntu; otherwise the one command to run is printed,
 * as for InfluxDB.
 */
import { findLibfaketime } from './cost/frozen-clock.ts';

/** Debian packages of the cost probe. */
export const COST_PACKAGES = ['valgrind', 'libfaketime'] as const;

export const COST_TOOLS_INSTALL_COMMAND = `sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${COST_PACKAGES.join(' ')}`;

/** What the step needs from setup.ts. */
export interface SetupTools {
  /** Absolute path of an executable on PATH, or undefined. */
  which(name: string): string | undefined;
  /** Runs a command with inherited stdio; resolves with its exit code. */
  runInherit(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<number>;
  log(line: string): void;
  /** Running as root. */
  isRoot: boolean;
  /** Whether libfaketime is installed. @default findLibfaketime() !== undefined */
  hasLibfaketime?: () => boolean;
}

/**
 * Makes valgrind and libfaketime available. Returns false when one is still missing (the way to install it was
 * printed).
 * @throws when apt-get fails as root
 */
export async function ensureCostTools(tools: SetupTools): Promise<boolean> {
  const hasLibfaketime = tools.hasLibfaketime ?? (() => findLibfaketime() !== undefined);
  const missing = (): string[] => [tools.which('valgrind') ? '' : 'valgrind', hasLibfaketime() ? '' : 'libfaketime'].filter(Boolean);
  const before = missing();
  if (before.length === 0) {
    tools.log(`cost probe: found ${tools.which('valgrind') ?? 'valgrind'} and libfaketime`);
    return true;
  }
  const skip = 'everything but the cost probe (npm run cost, the gate\'s instructions per operation; `npm run gate -- --skip-cost` without it) works without them';
  if (!tools.which('apt-get')) {
    tools.log(`cost probe: ${before.join(' and ')} missing and this is not a Debian/Ubuntu system. Install valgrind 3.19 or later and libfaketime 0.9.10 or later (your package manager, or https://valgrind.org and https://github.com/wolfcw/libfaketime), then re-run npm run setup; ${skip}`);
    return false;
  }
  if (!tools.isRoot) {
    tools.log(`cost probe: ${before.join(' and ')} missing. Install with:`);
    tools.log(`  ${COST_TOOLS_INSTALL_COMMAND}`);
    tools.log(`  (${skip}); then re-run npm run setup`);
    return false;
  }
  tools.log('cost probe: apt-get update');
  let code = await tools.runInherit('apt-get', ['update']);
  if (code !== 0) throw new Error(`apt-get update exited ${code}; check the apt sources and network, then re-run npm run setup`);
  tools.log(`cost probe: apt-get install ${COST_PACKAGES.join(' ')}`);
  code = await tools.runInherit('apt-get', ['install', '-y', '--no-install-recommends', ...COST_PACKAGES], { ...process.env, DEBIAN_FRONTEND: 'noninteractive' });
  if (code !== 0) throw new Error(`apt-get install ${COST_PACKAGES.join(' ')} exited ${code}; fix the apt error above, then re-run npm run setup`);
  const after = missing();
  if (after.length > 0) throw new Error(`installed ${COST_PACKAGES.join(' ')} but ${after.join(' and ')} still cannot be found (valgrind on PATH ${process.env.PATH ?? ''}; libfaketime under /usr/lib/*/faketime/)`);
  tools.log(`cost probe: installed ${tools.which('valgrind') ?? 'valgrind'} and libfaketime`);
  return true;
}
