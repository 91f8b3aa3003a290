/** Test helper: fake setup tools for a Debian step (debian-step.ts), recording what it printed and ran. */
import type { SetupTools } from './debian-step.ts';

/**
 * @param over.onPath executables found on PATH at first
 * @param over.installed what `apt-get install` puts on PATH; `onInstall` runs too (other pieces it installs)
 */
export function fakeSetupTools(over: { onPath?: string[]; isRoot?: boolean; installed?: string[]; onInstall?: () => void }): SetupTools & { lines: string[]; ran: string[] } {
  const onPath = new Set(over.onPath ?? []);
  const lines: string[] = [];
  const ran: string[] = [];
  return {
    lines,
    ran,
    isRoot: over.isRoot ?? false,
    which: (name) => (onPath.has(name) ? `/usr/bin/${name}` : undefined),
    log: (line) => lines.push(line),
    runInherit: async (cmd, args) => {
      ran.push([cmd, ...args].join(' '));
      if (args[0] === 'install') {
        for (const name of over.installed ?? []) onPath.add(name);
        over.onInstall?.();
      }
      return 0;
    },
  };
}
