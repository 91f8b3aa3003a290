/** A checkout of another git ref beside the working tree, for paired A/B gates. */
import { execFileSync } from 'node:child_process';
import { existsSync, symlinkSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { repoPath, repoRoot } from '../repo.ts';

export interface Worktree {
  path: string;
  sha: string;
  remove(): Promise<void>;
}

/**
 * Checks out `ref` under `.tools/ab/<sha>` (detached) and links this checkout's node_modules into it,
 * so its targets run with the same dependencies. Errors name the ref when git does not know it.
 * @param label suffix of the folder name, for two checkouts of one commit (accuracy's A and B); default none
 */
export async function checkoutRef(ref: string, label?: string): Promise<Worktree> {
  let sha: string;
  try {
    sha = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    throw new Error(`--against ${ref}: git does not know this ref here (fetch it first, e.g. \`git fetch origin ${ref}\`, or check out with full history)`);
  }
  const path = repoPath('.tools', 'ab', label === undefined ? sha.slice(0, 12) : `${sha.slice(0, 12)}-${label}`);
  await mkdir(repoPath('.tools', 'ab'), { recursive: true });
  if (existsSync(path)) await removeWorktree(path);
  execFileSync('git', ['worktree', 'add', '--detach', '--force', path, sha], { cwd: repoRoot, stdio: 'ignore' });
  const modules = join(path, 'node_modules');
  if (!existsSync(modules)) symlinkSync(repoPath('node_modules'), modules, 'dir');
  return { path, sha, remove: () => removeWorktree(path) };
}

async function removeWorktree(path: string): Promise<void> {
  try {
    execFileSync('git', ['worktree', 'remove', '--force', path], { cwd: repoRoot, stdio: 'ignore' });
  } catch {
    await rm(path, { recursive: true, force: true });
    execFileSync('git', ['worktree', 'prune'], { cwd: repoRoot, stdio: 'ignore' });
  }
}
