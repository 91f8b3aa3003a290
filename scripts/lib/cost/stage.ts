/**
 * Where a probed target runs from: its own temporary directory, whichever checkout the code came from.
 *
 * The count depends on where the process's files are. Two checkouts of the same commit, the paired gate's A
 * under `.tools/ab/<sha>/` and B, counted 755,299 and 711,936 instructions per jsonrpc call: the longer paths of
 * A (the script names V8 keeps, the module URLs, the working directory) move the allocation-triggered GCs, and
 * with them which functions TurboFan optimises when (`cg_diff`: B compiled more, A ran more inline caches).
 * So the bundle, the preload and links to the checkout's `node_modules` and `targets` (the price engine finds its
 * dashboard files there) sit in the probe's temporary directory, whose path has the same length in every
 * probe of a target. The bundle carries its packages (target-bundle.ts); the `node_modules` link serves the
 * optional packages they look for at run time (ws's bufferutil), with `--preserve-symlinks` (valgrind-run.ts)
 * keeping those paths under the staging directory too.
 */
import { copyFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';

export interface StagedTarget {
  /** The bundle to run. */
  bundle: string;
  /** The preload to `--import`. */
  preload: string;
  /** The working directory to start it in. */
  cwd: string;
}

/** Copies the bundle and preload into `dir` and links `root`'s node_modules and targets there. */
export async function stageTarget(dir: string, root: string, bundle: string, preload: string): Promise<StagedTarget> {
  const staged = { bundle: join(dir, 'target.mjs'), preload: join(dir, 'preload.mjs'), cwd: dir };
  await copyFile(bundle, staged.bundle);
  await copyFile(preload, staged.preload);
  await symlink(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  await symlink(join(root, 'targets'), join(dir, 'targets'), 'dir');
  return staged;
}
