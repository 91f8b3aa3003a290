/**
 * The licence boundary (README "Licence"): Tidemark is Apache-2.0; only `k6/`, which compiles into one binary
 * with k6, is AGPL-3.0; and no other AGPL code comes in, neither an npm package nor a Go module outside `k6/`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoPath, repoRoot } from '../scripts/lib/repo.ts';

const read = (...parts: string[]): string => readFileSync(repoPath(...parts), 'utf8');

/** `license` of every package installed under node_modules (nested ones included), by folder. */
function installedLicences(dir = repoPath('node_modules')): Map<string, string> {
  const found = new Map<string, string>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === '.bin' || entry.name === '.cache') continue;
    const folder = join(dir, entry.name);
    if (entry.name.startsWith('@')) {
      for (const [k, v] of installedLicences(folder)) found.set(k, v);
      continue;
    }
    const manifest = join(folder, 'package.json');
    if (existsSync(manifest)) {
      const { license } = JSON.parse(readFileSync(manifest, 'utf8')) as { license?: unknown };
      found.set(folder, typeof license === 'string' ? license : JSON.stringify(license ?? null));
    }
    if (existsSync(join(folder, 'node_modules'))) for (const [k, v] of installedLicences(join(folder, 'node_modules'))) found.set(k, v);
  }
  return found;
}

describe('licences', () => {
  it('Tidemark is Apache-2.0: the LICENSE text and the package.json field agree', () => {
    expect(JSON.parse(read('package.json')).license).toBe('Apache-2.0');
    expect(read('LICENSE')).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
  });

  it('k6/ carries the AGPL-3.0 text and a notice saying what it covers', () => {
    expect(read('k6', 'LICENSE.md')).toMatch(/GNU AFFERO GENERAL PUBLIC LICENSE[\s\S]*Version 3, 19 November 2007/);
    expect(read('k6', 'NOTICE.md')).toMatch(/AGPL-3\.0[\s\S]*any k6 binary built from it/);
  });

  it('no installed npm package is AGPL-licensed', () => {
    const licences = installedLicences();
    expect(licences.size).toBeGreaterThan(50);
    const agpl = [...licences].filter(([, licence]) => /AGPL|Affero/i.test(licence)).map(([folder, licence]) => `${folder}: ${licence}`);
    expect(agpl).toEqual([]);
  });

  it('k6/go.mod is the only Go module that requires k6', () => {
    const modules = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*go.mod'], { cwd: repoRoot, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
    expect(modules).toContain('k6/go.mod');
    const requiringK6 = modules.filter((m) => /go\.k6\.io\/k6\b/.test(read(m)));
    expect(requiringK6).toEqual(['k6/go.mod']);
  });
});
