/**
 * actionlint, the GitHub Actions workflow linter, built from its Go module at a pinned version into
 * .tools/bin/actionlint (only when missing or when the pin changed; .tools/bin/actionlint.version records
 * what was built). `npm test` builds it on demand (tests/workflow.test.ts); `npm run setup` does not.
 *
 * Run directly (`npm run actionlint [-- <actionlint flags>]`) it lints .github/workflows/*.yml.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findGo, repoRoot } from './k6-build.ts';

/** The pinned actionlint module version (the Go module proxy serves it; bump here to upgrade). */
export const ACTIONLINT_VERSION = 'v1.7.12';
const ACTIONLINT_PACKAGE = 'github.com/rhysd/actionlint/cmd/actionlint';

/** Absolute path of the actionlint binary (it may not exist yet). */
export function actionlintPath(): string {
  return join(repoRoot(), '.tools', 'bin', 'actionlint');
}

function stampPath(): string {
  return `${actionlintPath()}.version`;
}

/** Output and exit code of a command; never rejects for a non-zero exit. */
export function capture(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
    const timer = setTimeout(() => child.kill('SIGTERM'), opts.timeoutMs ?? 300_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128, out });
    });
  });
}

/**
 * Builds .tools/bin/actionlint with `go install <module>@ACTIONLINT_VERSION` when it is missing or was built
 * from another version. The first build downloads the module and takes about 20 s.
 * @returns the binary's path and whether it was (re)built
 * @throws Error saying what to do when Go is missing or the build fails
 */
export async function ensureActionlint(log: (line: string) => void = () => {}): Promise<{ path: string; rebuilt: boolean }> {
  const bin = actionlintPath();
  const built = existsSync(stampPath()) ? (await readFile(stampPath(), 'utf8')).trim() : '';
  if (existsSync(bin) && built === ACTIONLINT_VERSION) return { path: bin, rebuilt: false };
  const { go, version } = await findGo();
  log(`building actionlint ${ACTIONLINT_VERSION} with ${version} into ${relative(repoRoot(), bin)}`);
  await mkdir(join(repoRoot(), '.tools', 'bin'), { recursive: true });
  const started = Date.now();
  const res = await capture(go, ['install', '-trimpath', `${ACTIONLINT_PACKAGE}@${ACTIONLINT_VERSION}`], {
    cwd: repoRoot(),
    env: { ...process.env, GOBIN: join(repoRoot(), '.tools', 'bin') },
  });
  if (res.code !== 0 || !existsSync(bin)) {
    throw new Error(
      `building actionlint failed (\`go install ${ACTIONLINT_PACKAGE}@${ACTIONLINT_VERSION}\` exited ${res.code}):\n${res.out.trim()}\n` +
        'It needs the Go module proxy (GOPROXY) to be reachable; fix that, then re-run.',
    );
  }
  await writeFile(stampPath(), `${ACTIONLINT_VERSION}\n`);
  log(`built actionlint in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { path: bin, rebuilt: true };
}

/** The workflow files of this repository: .github/workflows/*.yml and *.yaml, sorted. */
export function workflowFiles(): string[] {
  const dir = join(repoRoot(), '.github', 'workflows');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * Lints workflow files with actionlint (built if needed).
 * @param files workflow files (default: every file of .github/workflows)
 * @param flags extra actionlint flags, e.g. `-color`
 */
export async function runActionlint(files: string[] = workflowFiles(), flags: string[] = []): Promise<{ code: number; out: string }> {
  const { path } = await ensureActionlint();
  return capture(path, ['-no-color', ...flags, ...files], { cwd: repoRoot(), timeoutMs: 60_000 });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const flags = process.argv.slice(2);
  if (flags.includes('--help') || flags.includes('-h')) {
    process.stdout.write(
      `usage: npm run actionlint [-- <actionlint flags>]\n\nBuilds actionlint ${ACTIONLINT_VERSION} into .tools/bin when missing, then lints .github/workflows/*.yml.\n`,
    );
  } else {
    await ensureActionlint((l) => process.stderr.write(`${l}\n`));
    const res = await runActionlint(workflowFiles(), flags);
    process.stdout.write(res.out);
    if (res.code === 0) process.stdout.write(`actionlint ${ACTIONLINT_VERSION}: ${workflowFiles().length} workflow file(s) ok\n`);
    process.exitCode = res.code;
  }
}
