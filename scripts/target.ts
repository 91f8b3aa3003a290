/**
 * `npm run target -- <name> [--port N] [--host H]`: one reference target in the
 * foreground. Bundles the entry (scripts/lib/target-bundle.ts), runs it with `node` on the terminal's stdio, forwards
 * SIGINT/SIGTERM and exits with the target's exit code.
 */
import { bundleTarget } from './lib/target-bundle.ts';
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TARGETS, targetEntry } from './lib/target-registry.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function help(): string {
  const rows = Object.entries(TARGETS).map(([name, t]) => `  ${name.padEnd(13)} port ${t.defaultPort}  ${t.entry}  (ops = ${t.unit})`);
  return [
    'usage: npm run target -- <name> [--port N] [--host H]',
    '',
    'Runs one reference target in the foreground until Ctrl-C. Flags after the name go to the target',
    '(`npm run target -- sse --help` shows its own options and environment variables).',
    '',
    'targets:',
    ...rows,
  ].join('\n');
}

const [name, ...rest] = process.argv.slice(2);
if (name === undefined || name === '--help' || name === '-h') {
  process.stdout.write(`${help()}\n`);
  process.exit(name === undefined ? 2 : 0);
}

let entry: string;
try {
  entry = targetEntry(name, ROOT);
} catch (err) {
  process.stderr.write(`target: ${(err as Error).message}\nRun \`npm run target -- --help\` for the list.\n`);
  process.exit(2);
}

// The same plain-JS bundle the harness measures (see scripts/lib/target-bundle.ts).
const bundle = await bundleTarget(entry, ROOT, name);
const child = spawn(process.execPath, [bundle, ...rest], { cwd: ROOT, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => child.kill(signal));
}
child.on('error', (err) => {
  process.stderr.write(`target: cannot start ${entry}: ${err.message}\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));
