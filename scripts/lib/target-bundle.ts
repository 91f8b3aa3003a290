/**
 * Targets run as plain JavaScript bundles, not through the tsx loader: the loader alone holds about 35 MB of
 * RSS and adds about a second to start-up, which would blur the memory and start-up figures the targets are
 * judged by. esbuild bundles `targets/<name>/index.ts` and the npm packages it uses into one file under
 * `<root>/.tools/targets/`, the same file for load runs and the cost probe.
 *
 * Why the packages go in: Node 20 loads ES modules from disk through its asynchronous loader, and where those
 * reads completed between the main thread's other work varied from run to run. That moved what V8 compiled at
 * start-up and where its code landed, and later which functions TurboFan optimised: jsonrpc's instruction count
 * per call sat on two levels 2% apart (docs/GATE.md). One file with no imports but Node's own modules starts
 * the same way every time.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

/** How targets are bundled; part of the cost probe's facts (a count is comparable only with the same layout). */
export const BUNDLE_LAYOUT = 'esbuild esm, npm packages inlined';

/** Lets the CommonJS packages inside an ES-module bundle `require` Node's built-in modules. */
const REQUIRE_SHIM = "import { createRequire as __tidemarkCreateRequire } from 'node:module'; const require = __tidemarkCreateRequire(import.meta.url);";

/**
 * Bundles the target's entry and returns the path of the `.mjs` to run with `node`. The file name carries a
 * hash of its content, so parallel runs of the same code share one file and different code never collides.
 * @param entry absolute path of `targets/<name>/index.ts`
 * @param root repository the entry belongs to; the bundle goes under its `.tools/targets/`, and its
 *   node_modules are the packages bundled
 * @param name prefix of the bundle's file name
 */
export async function bundleTarget(entry: string, root: string, name: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: REQUIRE_SHIM },
    sourcemap: 'inline',
    // Paths in the bundle (module comments, source map) relative to the checkout, not to this process's cwd: two
    // checkouts of the same commit (the paired gate's A under .tools/ab/ and B) then get byte-identical bundles.
    // With cwd-relative paths A's bundle differed in every module comment, and jsonrpc counted 6% more
    // instructions per call under the cost probe (docs/GATE.md).
    absWorkingDir: root,
    // A checkout whose node_modules is a link to another's (the paired gate's worktree) keeps `node_modules/...`
    // paths, not the link's target seen from elsewhere: the same bytes as the other checkout's bundle.
    preserveSymlinks: true,
    logLevel: 'silent',
    outfile: join(root, '.tools', 'targets', `${name}.mjs`),
  });
  const code = result.outputFiles[0]?.contents;
  if (!code) throw new Error(`esbuild produced no output for ${entry}`);
  const dir = join(root, '.tools', 'targets');
  const file = join(dir, `${name}-${createHash('sha256').update(code).digest('hex').slice(0, 12)}.mjs`);
  if (!existsSync(file)) {
    await mkdir(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, code);
    await rename(tmp, file);
  }
  return file;
}
