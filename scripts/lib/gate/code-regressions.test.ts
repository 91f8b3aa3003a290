import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoPath } from '../repo.ts';
import { applyCodeRegression, CODE_REGRESSIONS } from './code-regressions.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tidemark-regressions-'));
  await cp(repoPath('targets'), join(root, 'targets'), { recursive: true });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('code regressions', () => {
  for (const regression of Object.values(CODE_REGRESSIONS)) {
    it(`${regression.name}: its anchor is in today's ${regression.file} once, and the edited target still bundles`, async () => {
      await cp(repoPath(regression.file), join(root, regression.file));
      await applyCodeRegression(root, regression, 7);
      const edited = await readFile(join(root, regression.file), 'utf8');
      expect(edited).not.toBe(await readFile(repoPath(regression.file), 'utf8'));
      expect(edited).toMatch(/\b7\b|7\.0000/);
      const target = regression.scenario.split('/')[0] as string;
      const out = await build({ entryPoints: [join(root, 'targets', target, 'index.ts')], bundle: true, write: false, platform: 'node', format: 'esm', packages: 'external', logLevel: 'silent' });
      expect(out.errors).toEqual([]);
    });
  }

  it('refuses an anchor that moved, naming the file and where to fix it', async () => {
    const moved = { ...CODE_REGRESSIONS['sse-loop']!, anchor: 'no such line;' };
    await expect(applyCodeRegression(root, moved, 1)).rejects.toThrow(/occur 0 times in targets\/sse\/stream.ts.*code-regressions.ts/);
  });

  it('sizes a share from the medians of unchanged runs', () => {
    expect(CODE_REGRESSIONS['sse-delay']?.sizeFor?.(0.1, { latency_p95: 2 })).toBeCloseTo(0.2);
    expect(CODE_REGRESSIONS['sse-alloc']?.sizeFor?.(0.1, { rss_per_connection_kb: 200 })).toBe(20);
  });
});
