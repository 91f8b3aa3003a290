// `npm run setup` entry, plain JavaScript because on a fresh clone nothing is installed yet (not even tsx):
// installs the npm dependencies when they are missing or older than package-lock.json, then hands over to
// scripts/setup.ts (the k6 build, InfluxDB, versions) with the same arguments.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const installed = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
const stale = !existsSync(installed) || statSync(lock).mtimeMs > statSync(installed).mtimeMs;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
if (stale && !process.argv.includes('--help') && !process.argv.includes('-h')) {
  process.stdout.write('setup: installing npm dependencies (npm ci)\n');
  const ci = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (ci.status !== 0) {
    process.stderr.write('setup: `npm ci` failed; fix the error above (network to the npm registry, Node 20+) and run `npm run setup` again\n');
    process.exit(1);
  }
}
const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
if (!existsSync(tsx)) {
  process.stderr.write('setup: tsx is missing from node_modules; run `npm ci` and then `npm run setup`\n');
  process.exit(1);
}
const setup = spawnSync(process.execPath, [tsx, join(root, 'scripts', 'setup.ts'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(setup.status ?? 1);
