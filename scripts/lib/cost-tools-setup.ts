/**
 * `npm run setup`'s step for the cost probe (`npm run cost`, `instructions_per_op` in the gate): Debian's valgrind
 * (cachegrind counts the instructions) and libfaketime (freezes the target's clocks, scripts/lib/cost/frozen-clock.ts).
 * Installed when missing and running as root on Debian or Ubuntu; otherwise the one command to run is printed,
 * as for InfluxDB.
 */
import { findLibfaketime } from './cost/frozen-clock.ts';
import { ensureDebianStep, installCommand, type SetupTools } from './debian-step.ts';

/** Debian packages of the cost probe. */
export const COST_PACKAGES = ['valgrind', 'libfaketime'] as const;

export const COST_TOOLS_INSTALL_COMMAND = installCommand(COST_PACKAGES);

export interface CostSetupTools extends SetupTools {
  /** Whether libfaketime is installed. @default findLibfaketime() !== undefined */
  hasLibfaketime?: () => boolean;
}

/**
 * Makes valgrind and libfaketime available. Returns false when one is still missing (the way to install it was
 * printed).
 * @throws when apt-get fails as root
 */
export async function ensureCostTools(tools: CostSetupTools): Promise<boolean> {
  const hasLibfaketime = tools.hasLibfaketime ?? (() => findLibfaketime() !== undefined);
  const found = tools.which('valgrind') !== undefined && hasLibfaketime();
  const ok = await ensureDebianStep(tools, {
    label: 'cost probe',
    packages: COST_PACKAGES,
    missing: () => [tools.which('valgrind') ? '' : 'valgrind', hasLibfaketime() ? '' : 'libfaketime'].filter(Boolean),
    without: 'everything but the cost probe (npm run cost, the gate\'s instructions per operation; `npm run gate -- --skip-cost` without it) works without them',
    elsewhere: 'Install valgrind 3.19 or later and libfaketime 0.9.10 or later (your package manager, or https://valgrind.org and https://github.com/wolfcw/libfaketime)',
    lookedIn: `valgrind on PATH ${process.env.PATH ?? ''}; libfaketime under /usr/lib/*/faketime/`,
  });
  if (ok) tools.log(`cost probe: ${found ? 'found' : 'installed'} ${tools.which('valgrind') ?? 'valgrind'} and libfaketime`);
  return ok;
}
