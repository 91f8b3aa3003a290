// npm run setup: makes this checkout ready to run Tidemark. Idempotent; every
// step is skipped when its result is already there.
//   1. npm dependencies (npm ci, only when node_modules is missing or stale)
//   2. the pinned k6 build at .tools/bin/k6 (only when missing or k6/ changed)
//   3. InfluxDB 1.x (Debian's influxdb package, when influxd is missing)
//   4. the cost probe's valgrind and libfaketime (Debian's packages, when missing)
//   5. the broker backends' RabbitMQ and Mosquitto (Debian's packages, when missing)
//   6. prints the versions in use
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureK6, findGo, k6BuildFailure, k6BuildLogPath, k6Version, repoRoot } from './lib/k6-build.ts';
import { k6Capabilities, parseK6Version, SUPPORTED_K6_MAJOR } from './lib/k6-identity.ts';
import { ensureBackendServers } from './lib/backend-servers-setup.ts';
import { ensureCostTools } from './lib/cost-tools-setup.ts';

const HELP = `Usage: npm run setup -- [--force-k6] [--help]

Makes this checkout ready to run Tidemark. Safe to run again: each step only
does work when something is missing or out of date.

  1. npm ci, when node_modules is missing or package-lock.json is newer than it
  2. builds the pinned k6 (stock k6 v1.8.1 + the in-repo k6/x/sse extension) at
     .tools/bin/k6 with Go 1.25+, when the binary is missing or k6/ changed;
     with TIDEMARK_K6=/path/to/k6 set, uses that k6 instead (v1.x). A failed
     build is reported in one paragraph (its output in .tools/k6-build.log),
     the other steps still run, and setup exits 1
  3. InfluxDB 1.x: when influxd is not on PATH, installs Debian's influxdb and
     influxdb-client packages (as root; otherwise prints the command to run),
     without leaving a system service running on port 8086
  4. the cost probe (npm run cost): when missing, installs Debian's valgrind
     and libfaketime packages (as root; otherwise prints the command to run)
  5. the broker's rabbitmq and mqtt backends: when missing, installs Debian's
     rabbitmq-server and mosquitto packages (as root; otherwise prints the
     command); \`npm run backend -- start all\` runs them on 127.0.0.1
  6. prints the versions of node, go, k6 (with its extensions and what works
     with it), influxd and valgrind

Options:
  --force-k6   rebuild .tools/bin/k6 even when it is up to date
  --help       show this help
`;

export const INFLUX_PACKAGES = ['influxdb', 'influxdb-client'] as const;
export const INFLUX_INSTALL_COMMAND =
  'sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ' +
  INFLUX_PACKAGES.join(' ');

const log = (s: string): void => {
  console.log(s);
};

/** Runs a command with inherited stdio; resolves with its exit code (-1 if it could not start). */
function runInherit(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, cwd?: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env, cwd });
    child.on('error', () => resolve(-1));
    child.on('close', (code) => resolve(code ?? -1));
  });
}

/** Runs a command and captures stdout+stderr; never throws. */
function capture(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    let out = '';
    let child;
    try {
      child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch {
      resolve({ code: -1, out: '' });
      return;
    }
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', () => resolve({ code: -1, out }));
    child.on('close', (code) => resolve({ code: code ?? -1, out: out.trim() }));
  });
}

/** Absolute path of an executable found on PATH, or undefined. */
export function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      if (statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

async function ensureNpmDeps(): Promise<void> {
  const root = repoRoot();
  const lock = join(root, 'package-lock.json');
  const installed = join(root, 'node_modules', '.package-lock.json');
  let reason = '';
  if (!existsSync(join(root, 'node_modules'))) reason = 'node_modules is missing';
  else if (!existsSync(installed)) reason = 'node_modules/.package-lock.json is missing';
  else if (existsSync(lock) && statSync(lock).mtimeMs > statSync(installed).mtimeMs) {
    reason = 'package-lock.json is newer than node_modules';
  }
  if (!reason) {
    log('npm dependencies: up to date');
    return;
  }
  log(`npm dependencies: running npm ci (${reason})`);
  const code = await runInherit('npm', ['ci'], process.env, root);
  if (code !== 0) throw new Error(`npm ci exited ${code}; fix the error above (the npm registry must be reachable), then re-run npm run setup`);
}

const POLICY_RC = '/usr/sbin/policy-rc.d';

/**
 * Installs Debian's InfluxDB 1.x packages as root without starting the system
 * service: a temporary policy-rc.d (exit 101) stops the postinst from starting
 * it, and afterwards any running system influxd is stopped and its start at
 * boot disabled, so it never competes with `npm run influx` for port 8086.
 */
export async function installInfluxDebian(): Promise<void> {
  const ownPolicy = !existsSync(POLICY_RC);
  if (ownPolicy) writeFileSync(POLICY_RC, '#!/bin/sh\n# written by tidemark setup while installing influxdb\nexit 101\n', { mode: 0o755 });
  try {
    log('InfluxDB: apt-get update');
    let code = await runInherit('apt-get', ['update']);
    if (code !== 0) throw new Error(`apt-get update exited ${code}; check the apt sources and network, then re-run npm run setup`);
    log(`InfluxDB: apt-get install ${INFLUX_PACKAGES.join(' ')}`);
    code = await runInherit('apt-get', ['install', '-y', '--no-install-recommends', ...INFLUX_PACKAGES], {
      ...process.env,
      DEBIAN_FRONTEND: 'noninteractive',
    });
    if (code !== 0) {
      throw new Error(`apt-get install ${INFLUX_PACKAGES.join(' ')} exited ${code}; fix the apt error above, then re-run npm run setup`);
    }
  } finally {
    if (ownPolicy) rmSync(POLICY_RC, { force: true });
  }
  await stopSystemInflux();
}

/**
 * influxd processes run by the Debian service (config under /etc/influxdb or
 * its pidfile), as "pid command" lines. Others, such as `npm run influx` or a
 * test's own instance, are never matched (nor stopped).
 */
async function systemInfluxProcesses(): Promise<string[]> {
  const r = await capture('pgrep', ['-a', '-x', 'influxd']);
  if (r.code !== 0) return [];
  return r.out.split('\n').filter((l) => l.includes('/etc/influxdb/') || l.includes('/var/run/influxdb/'));
}

/** Disables the Debian influxdb service at boot and stops it if it runs. */
async function stopSystemInflux(): Promise<void> {
  const systemd = existsSync('/run/systemd/system') && which('systemctl') !== undefined;
  if (systemd) await capture('systemctl', ['disable', 'influxdb']);
  else if (which('update-rc.d')) await capture('update-rc.d', ['influxdb', 'disable']);
  if ((await systemInfluxProcesses()).length === 0) return;
  log('InfluxDB: stopping the system influxdb service (npm run influx runs its own on 127.0.0.1:8086)');
  // Both stop the service by its unit or pidfile, never other influxd processes.
  if (systemd) await capture('systemctl', ['stop', 'influxdb']);
  else await capture('service', ['influxdb', 'stop']);
  const still = await systemInfluxProcesses();
  if (still.length > 0) {
    log(`InfluxDB: warning: the system influxd still runs (${still.join('; ')}); stop it (\`service influxdb stop\`) before npm run influx`);
  }
}

/** Returns false when InfluxDB is still missing (not root, or not Debian): the command to run was printed. */
async function ensureInflux(): Promise<boolean> {
  const found = which('influxd');
  if (found) {
    log(`InfluxDB: found ${found}`);
    return true;
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!which('apt-get')) {
    log(
      'InfluxDB: influxd is not on PATH and this is not a Debian/Ubuntu system. Install InfluxDB 1.x ' +
        '(https://docs.influxdata.com/influxdb/v1/introduction/install/) so that `influxd` is on PATH, then re-run npm run setup. ' +
        'Everything except the InfluxDB output and its tests works without it.',
    );
    return false;
  }
  if (!isRoot) {
    log('InfluxDB: influxd is not on PATH. Install InfluxDB 1.x with:');
    log(`  ${INFLUX_INSTALL_COMMAND}`);
    log('  (everything except the InfluxDB output and its tests works without it); then re-run npm run setup');
    return false;
  }
  await installInfluxDebian();
  const after = which('influxd');
  if (!after) throw new Error(`installed ${INFLUX_PACKAGES.join(' ')} but influxd is still not on PATH (${process.env.PATH ?? ''}); add /usr/bin to PATH`);
  log(`InfluxDB: installed ${after}`);
  return true;
}

/**
 * The k6 step: the user's k6 when `TIDEMARK_K6` is set (checked in the versions below), else the pinned build. A
 * failed build is one paragraph saying what failed and how to go on; its whole output goes to a log file.
 * @returns false when there is no k6 to run
 */
async function ensureUsableK6(force: boolean): Promise<boolean> {
  const own = process.env.TIDEMARK_K6;
  if (own) {
    log(`k6: TIDEMARK_K6=${own}; the pinned build is left as it is`);
    // Usable when it answers `version` as a k6 v1.x; the versions below say what works with it.
    const major = await k6Version().then((text) => parseK6Version(text).major, () => null);
    return major === SUPPORTED_K6_MAJOR;
  }
  try {
    const k6 = await ensureK6({ force, log });
    log(k6.rebuilt ? `k6: built ${k6.path}` : `k6: ${k6.path}`);
    return true;
  } catch (err) {
    const message = (err as Error).message;
    const logFile = k6BuildLogPath();
    mkdirSync(dirname(logFile), { recursive: true });
    writeFileSync(logFile, `${message}\n`);
    log(`\n${k6BuildFailure(message, logFile)}\n`);
    return false;
  }
}

async function printVersions(): Promise<void> {
  log('\nVersions:');
  log(`  node    ${process.version}`);
  try {
    const { version } = await findGo();
    log(`  go      ${version}`);
  } catch {
    log('  go      (not found; only needed to rebuild k6)');
  }
  try {
    const k6 = await k6Version();
    log(k6.split('\n').map((l, i) => (i === 0 ? `  k6      ${l}` : `          ${l}`)).join('\n'));
    log(`          works with: ${k6Capabilities(parseK6Version(k6))}`);
  } catch (err) {
    log(`  k6      (not usable: ${(err as Error).message})`);
  }
  const influxd = which('influxd') ? await capture('influxd', ['version']) : undefined;
  log(`  influxd ${influxd ? influxd.out.split('\n')[0] : '(not installed)'}`);
  const valgrind = which('valgrind') ? await capture('valgrind', ['--version']) : undefined;
  log(`  valgrind ${valgrind ? valgrind.out.split('\n')[0] : '(not installed)'}`);
}

export async function main(argv: string[]): Promise<number> {
  let forceK6 = false;
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(HELP);
      return 0;
    } else if (arg === '--force-k6') {
      forceK6 = true;
    } else {
      console.error(`setup: unknown argument ${JSON.stringify(arg)}\n`);
      process.stderr.write(HELP);
      return 2;
    }
  }
  try {
    await ensureNpmDeps();
    const k6 = await ensureUsableK6(forceK6);
    const influx = await ensureInflux();
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const tools = { which, runInherit: (cmd: string, args: string[], env?: NodeJS.ProcessEnv) => runInherit(cmd, args, env), log, isRoot };
    const costTools = await ensureCostTools(tools);
    const backendServers = await ensureBackendServers(tools);
    await printVersions();
    const missing = [k6 ? '' : 'k6', influx ? '' : 'InfluxDB', costTools ? '' : 'the cost probe\'s tools', backendServers ? '' : 'the broker backends\' servers'].filter(Boolean);
    log(missing.length === 0 ? '\nsetup: done' : `\nsetup: done, except ${missing.join(' and ')} (see above)`);
    // Without a k6 nothing can run: `npm run setup && npm run gate` stops here.
    return k6 ? 0 : 1;
  } catch (err) {
    console.error(`\nsetup failed: ${(err as Error).message}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
