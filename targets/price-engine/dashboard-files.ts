/** The dashboard's static files: the page, its script and style, and uPlot's dist files from node_modules. */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadStaticFiles, type StaticFiles } from '../common/static-files.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** Loads the files (once per server; a missing one fails the start naming it). */
export function dashboardFiles(): StaticFiles {
  const uplotDir = dirname(createRequire(import.meta.url).resolve('uplot/package.json'));
  return loadStaticFiles({
    '/': join(here, 'dashboard', 'index.html'),
    '/dashboard.js': join(here, 'dashboard', 'dashboard.js'),
    '/dashboard.css': join(here, 'dashboard', 'dashboard.css'),
    '/vendor/uPlot.iife.min.js': join(uplotDir, 'dist', 'uPlot.iife.min.js'),
    '/vendor/uPlot.min.css': join(uplotDir, 'dist', 'uPlot.min.css'),
  });
}
