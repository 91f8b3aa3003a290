/** `<target>/<profile>` names, their files, and glob filters over them. */
import { existsSync, readdirSync } from 'node:fs';
import { repoPath } from './repo.ts';

export interface ScenarioName {
  target: string;
  profile: string;
}

/** Splits `sse/sustained`; a clear error for anything else. */
export function parseScenarioName(name: string): ScenarioName {
  const match = /^([a-z0-9-]+)\/([a-z0-9-]+)$/.exec(name);
  if (!match) throw new Error(`"${name}" is not a scenario name: expected <target>/<profile>, for example sse/sustained`);
  return { target: match[1] as string, profile: match[2] as string };
}

/** The k6 script of a scenario; throws naming the missing file and the scenarios that exist. */
export function scenarioFile(name: string): string {
  const { target, profile } = parseScenarioName(name);
  const file = repoPath('scenarios', target, `${profile}.ts`);
  if (!existsSync(file)) {
    throw new Error(`no scenario ${name} (${file} is missing); scenarios: ${listScenarios().join(', ')}`);
  }
  return file;
}

/** Every `<target>/<profile>` under scenarios/ (lib and types excluded), sorted. */
export function listScenarios(): string[] {
  const root = repoPath('scenarios');
  const names: string[] = [];
  for (const dir of readdirSync(root, { withFileTypes: true })) {
    if (!dir.isDirectory() || dir.name === 'lib' || dir.name === 'types') continue;
    for (const file of readdirSync(repoPath('scenarios', dir.name))) {
      if (file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.endsWith('.d.ts')) {
        names.push(`${dir.name}/${file.slice(0, -3)}`);
      }
    }
  }
  return names.sort();
}

/** Matches `sse/*`, `*\/burst`, `sse/sustained` and comma-separated lists of them. */
export function matchesGlob(name: string, glob: string): boolean {
  return glob.split(',').some((part) => {
    const pattern = part
      .trim()
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]');
    return new RegExp(`^${pattern}$`).test(name);
  });
}
