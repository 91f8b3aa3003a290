/**
 * `npm run target -- <name> [--port N] [--host H] [--backend B]`: one reference target in the
 * foreground. Bundles the entry (scripts/lib/target-bundle.ts), runs it with `node` on the terminal's stdio, forwards
 * SIGINT/SIGTERM and exits with the target's exit code.
 */
import { bundleTarget } from './lib/target-bundle.ts';
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TARGETS, targetEntry } from './lib/target-registry.ts';
import { BACKEND_ENV, BROKER_BACKENDS, DEFAULT_BROKER_BACKEND, parseBackendName } from '../targets/broker/backend-choice.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function help(): string {
  const rows = Object.entries(TARGETS).map(([name, t]) => `  ${name.padEnd(13)} port ${t.defaultPort}  ${t.entry}  (ops = ${t.unit})`);
  return [
    'usage: npm run target -- <name> [--port N] [--host H] [--backend B]',
    '',
    'Runs one reference target in the foreground until Ctrl-C. Flags after the name go to the target',
    '(`npm run target -- sse --help` shows its own options and environment variables).',
    `--backend ${BROKER_BACKENDS.join('|')}: the broker's backend (sets ${BACKEND_ENV}; default ${DEFAULT_BROKER_BACKEND}).`,
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

/** Takes `--backend B` (or `--backend=B`) out of the target's flags: it becomes TIDEMARK_BROKER_BACKEND. */
function takeBackend(args: string[]): { args: string[]; env: NodeJS.ProcessEnv } {
  const at = args.findIndex((a) => a === '--backend' || a.startsWith('--backend='));
  if (at < 0) return { args, env: process.env };
  const raw = args[at] === '--backend' ? args[at + 1] : args[at]!.slice('--backend='.length);
  if (name !== 'broker') throw new Error(`--backend applies to the broker target only, not ${name}`);
  if (raw === undefined) throw new Error(`--backend needs a value: ${BROKER_BACKENDS.join(', ')}`);
  const backend = parseBackendName(raw, '--backend');
  return { args: args.filter((_, i) => i !== at && !(args[at] === '--backend' && i === at + 1)), env: { ...process.env, [BACKEND_ENV]: backend } };
}

let launch: { args: string[]; env: NodeJS.ProcessEnv };
try {
  launch = takeBackend(rest);
} catch (err) {
  process.stderr.write(`target: ${(err as Error).message}\n`);
  process.exit(2);
}

// The same plain-JS bundle the harness measures (see scripts/lib/target-bundle.ts).
const bundle = await bundleTarget(entry, ROOT, name);
const child = spawn(process.execPath, [bundle, ...launch.args], { cwd: ROOT, stdio: 'inherit', env: launch.env });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => child.kill(signal));
}
child.on('error', (err) => {
  process.stderr.write(`target: cannot start ${entry}: ${err.message}\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));
