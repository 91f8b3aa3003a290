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
 * @param root the repository to check out from, and whose `.tools/ab/` holds the checkout; default this one
 */
export async function checkoutRef(ref: string, label?: string, root: string = repoRoot): Promise<Worktree> {
  let sha: string;
  try {
    sha = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    throw new Error(`--against ${ref}: git does not know this ref here (fetch it first, e.g. \`git fetch origin ${ref}\`, or check out with full history)`);
  }
  const path = join(root, '.tools', 'ab', label === undefined ? sha.slice(0, 12) : `${sha.slice(0, 12)}-${label}`);
  await mkdir(join(root, '.tools', 'ab'), { recursive: true });
  if (existsSync(path)) await removeWorktree(path, root);
  execFileSync('git', ['worktree', 'add', '--detach', '--force', path, sha], { cwd: root, stdio: 'ignore' });
  const modules = join(path, 'node_modules');
  if (!existsSync(modules)) symlinkSync(repoPath('node_modules'), modules, 'dir');
  return { path, sha, remove: () => removeWorktree(path, root) };
}

async function removeWorktree(path: string, root: string): Promise<void> {
  try {
    execFileSync('git', ['worktree', 'remove', '--force', path], { cwd: root, stdio: 'ignore' });
  } catch {
    await rm(path, { recursive: true, force: true });
    execFileSync('git', ['worktree', 'prune'], { cwd: root, stdio: 'ignore' });
  }
}
