/**
 * `npm run setup` when the pinned k6 cannot be built (the Go module proxy refuses its modules, simulated with
 * GOPROXY=off and an empty module cache): one paragraph says what failed and how to go on, the other steps still
 * run, setup exits 1, and the k6 already built is left as it was.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pinnedK6Path } from '../scripts/lib/k6-build.ts';
import { repoRoot } from '../scripts/lib/repo.ts';

const emptyModCache = mkdtempSync(join(tmpdir(), 'tidemark-empty-gomodcache-'));
afterAll(() => rmSync(emptyModCache, { recursive: true, force: true }));

describe('setup with a k6 build the module proxy refuses', () => {
  it('reports one paragraph, finishes the other steps and exits 1, keeping the built k6', { timeout: 180_000 }, () => {
    const before = statSync(pinnedK6Path()).mtimeMs;
    const env: NodeJS.ProcessEnv = { ...process.env, GOPROXY: 'off', GOMODCACHE: emptyModCache, GOFLAGS: '-modcacherw' };
    delete env.TIDEMARK_K6;
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/setup.ts', '--force-k6'], { cwd: repoRoot, env, encoding: 'utf8', timeout: 170_000 });
    const out = `${res.stdout}${res.stderr}`;
    expect(res.status, out).toBe(1);
    expect(out).toMatch(/k6: the pinned build \(\.tools\/bin\/k6\) failed: the Go module proxy did not serve the pinned modules \(.*module lookup disabled by GOPROXY=off\)\. .*TIDEMARK_K6=\/path\/to\/k6/);
    // Go's own error lines went to the log file, not the terminal: only the paragraph quotes one.
    expect(out.match(/module lookup disabled/g)).toHaveLength(1);
    expect(out).toContain('Versions:');
    expect(out).toContain('setup: done, except k6 (see above)');
    expect(statSync(pinnedK6Path()).mtimeMs).toBe(before);
  });
});
