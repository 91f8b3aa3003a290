import { cp, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoPath, repoRoot } from './repo.ts';
import { bundleTarget } from './target-bundle.ts';

let copy = '';
afterAll(async () => {
  if (copy) await rm(copy, { recursive: true, force: true });
});

describe('target bundles', () => {
  it('two checkouts of the same code get byte-identical bundles, wherever they are (the paired gate compares them)', async () => {
    copy = await mkdtemp(join(tmpdir(), 'tidemark-bundle-'));
    await cp(repoPath('targets'), join(copy, 'targets'), { recursive: true });
    // As the paired gate's worktree has it (gate/worktree.ts): the packages are a link to this checkout's, and
    // package.json says the code is ES modules (esbuild imports CommonJS packages differently otherwise).
    await cp(repoPath('package.json'), join(copy, 'package.json'));
    await symlink(repoPath('node_modules'), join(copy, 'node_modules'), 'dir');
    const here = await bundleTarget(repoPath('targets', 'jsonrpc', 'index.ts'), repoRoot, 'jsonrpc');
    const there = await bundleTarget(join(copy, 'targets', 'jsonrpc', 'index.ts'), copy, 'jsonrpc');
    expect(there.startsWith(copy)).toBe(true);
    expect(basename(there)).toBe(basename(here));
    expect(await readFile(there, 'utf8')).toBe(await readFile(here, 'utf8'));
    expect(await readFile(there, 'utf8')).not.toContain(copy);
    // The packages are inside (no import outside Node's own modules), under checkout-relative paths.
    expect(await readFile(here, 'utf8')).toContain('// node_modules/@modelcontextprotocol/sdk/');
    expect(await readFile(here, 'utf8')).not.toMatch(/^import .* from ["']@modelcontextprotocol\//m);
  });
});
