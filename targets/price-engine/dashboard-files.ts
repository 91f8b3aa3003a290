/** The dashboard's static files: the page, its script and style, and uPlot's dist files from node_modules. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadStaticFiles, type StaticFiles } from '../common/static-files.ts';

/**
 * The folder holding `index.html`, `dashboard.js` and `dashboard.css`. Run from source it sits beside
 * this file; run as the harness's esbuild bundle (`.tools/targets/price-engine-<hash>.mjs`) this module's
 * URL is the bundle's, so the folder is found by walking up to the repository's `targets/price-engine/`.
 */
export function dashboardDir(from: string = dirname(fileURLToPath(import.meta.url))): string {
  const beside = join(from, 'dashboard');
  if (existsSync(join(beside, 'index.html'))) return beside;
  for (let dir = from, i = 0; i < 10; i++) {
    const candidate = join(dir, 'targets', 'price-engine', 'dashboard');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`cannot find the dashboard files (targets/price-engine/dashboard/index.html) from ${from}: run the target from a Tidemark checkout`);
}

/** Loads the files (once per server; a missing one fails the start naming it). */
export function dashboardFiles(): StaticFiles {
  const dir = dashboardDir();
  const uplotDir = dirname(createRequire(import.meta.url).resolve('uplot/package.json'));
  return loadStaticFiles({
    '/': join(dir, 'index.html'),
    '/dashboard.js': join(dir, 'dashboard.js'),
    '/dashboard.css': join(dir, 'dashboard.css'),
    '/vendor/uPlot.iife.min.js': join(uplotDir, 'dist', 'uPlot.iife.min.js'),
    '/vendor/uPlot.min.css': join(uplotDir, 'dist', 'uPlot.min.css'),
  });
}
