/**
 * One `npm run setup` step that needs Debian packages: found → done; missing and root on Debian or Ubuntu →
 * `apt-get install`; otherwise the one command to run is printed. The cost probe's tools and the broker's
 * backend servers are such steps.
 */

/** What a step needs from setup.ts. */
export interface SetupTools {
  /** Absolute path of an executable on PATH, or undefined. */
  which(name: string): string | undefined;
  /** Runs a command with inherited stdio; resolves with its exit code. */
  runInherit(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<number>;
  log(line: string): void;
  /** Running as root. */
  isRoot: boolean;
}

export interface DebianStep {
  /** Prefix of the step's lines, e.g. `cost probe`. */
  label: string;
  packages: readonly string[];
  /** What is still missing, by name (empty when the step is satisfied). */
  missing(): string[];
  /** What works without it, for the lines printed when it cannot be installed. */
  without: string;
  /** How to get it where apt-get is not available. */
  elsewhere: string;
  /** Where the installed pieces are looked for, for the error when they still cannot be found. */
  lookedIn: string;
}

export function installCommand(packages: readonly string[]): string {
  return `sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

/**
 * Makes the step's pieces available. Returns false when one is still missing (the way to install it was printed).
 * @throws when apt-get fails as root, or the pieces cannot be found after installing
 */
export async function ensureDebianStep(tools: SetupTools, step: DebianStep): Promise<boolean> {
  const before = step.missing();
  if (before.length === 0) return true;
  if (!tools.which('apt-get')) {
    tools.log(`${step.label}: ${before.join(' and ')} missing and this is not a Debian/Ubuntu system. ${step.elsewhere}, then re-run npm run setup; ${step.without}`);
    return false;
  }
  if (!tools.isRoot) {
    tools.log(`${step.label}: ${before.join(' and ')} missing. Install with:`);
    tools.log(`  ${installCommand(step.packages)}`);
    tools.log(`  (${step.without}); then re-run npm run setup`);
    return false;
  }
  tools.log(`${step.label}: apt-get update`);
  let code = await tools.runInherit('apt-get', ['update']);
  if (code !== 0) throw new Error(`apt-get update exited ${code}; check the apt sources and network, then re-run npm run setup`);
  tools.log(`${step.label}: apt-get install ${step.packages.join(' ')}`);
  code = await tools.runInherit('apt-get', ['install', '-y', '--no-install-recommends', ...step.packages], { ...process.env, DEBIAN_FRONTEND: 'noninteractive' });
  if (code !== 0) throw new Error(`apt-get install ${step.packages.join(' ')} exited ${code}; fix the apt error above, then re-run npm run setup`);
  const after = step.missing();
  if (after.length > 0) throw new Error(`installed ${step.packages.join(' ')} but ${after.join(' and ')} still cannot be found (${step.lookedIn})`);
  return true;
}
