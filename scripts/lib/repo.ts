/** Where the repository is, and which commit and branch it is on. */
import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A path inside the repository. */
export function repoPath(...parts: string[]): string {
  return resolve(repoRoot, ...parts);
}

function git(args: string[], cwd: string): string | null {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export interface GitInfo {
  sha: string;
  branch: string;
  dirty: boolean;
}

/** Commit, branch and whether the tree has uncommitted changes; `unknown` outside a git checkout. */
export function gitInfo(cwd = repoRoot): GitInfo {
  const sha = git(['rev-parse', 'HEAD'], cwd) ?? 'unknown';
  // CI checks out detached heads: prefer the branch name CI gives.
  const branch =
    process.env.GITHUB_HEAD_REF || process.env.GITHUB_REF_NAME || git(['rev-parse', '--abbrev-ref', 'HEAD'], cwd) || 'unknown';
  const status = git(['status', '--porcelain', '--untracked-files=no'], cwd);
  return { sha, branch, dirty: status !== null && status !== '' };
}
