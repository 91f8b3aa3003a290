// Builds and locates the pinned k6 binary (.tools/bin/k6) from the Go module
// in k6/ (stock k6 plus the in-repo k6/x/sse extension). The binary is rebuilt
// only when it is missing or when the sources it was built from changed: a
// sha256 over k6/go.mod, k6/go.sum and every non-test k6/**/*.go file is kept
// in .tools/bin/k6.stamp.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Oldest Go that can build k6 v1.8.1 (its go.mod says `go 1.25.0`). */
export const MIN_GO = { major: 1, minor: 25 } as const;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Absolute path of the repository root. */
export function repoRoot(): string {
  return ROOT;
}

/** Absolute path of the k6 binary the harness runs: `TIDEMARK_K6` when set, else the pinned build (it may not exist yet). */
export function k6Path(): string {
  return process.env.TIDEMARK_K6 || pinnedK6Path();
}

/** Where `npm run setup` builds the pinned k6. */
export function pinnedK6Path(): string {
  return join(ROOT, '.tools', 'bin', 'k6');
}

function stampPath(): string {
  return join(ROOT, '.tools', 'bin', 'k6.stamp');
}

/** Environment for running the pinned k6: no extension download, no usage report. */
export function k6Env(): NodeJS.ProcessEnv {
  return { ...process.env, K6_AUTO_EXTENSION_RESOLUTION: 'false', K6_NO_USAGE_REPORT: 'true' };
}

async function goSources(dir: string, base: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name === 'vendor' || e.name === 'testdata' || e.name.startsWith('.')) continue;
      await goSources(full, base, out);
    } else if (e.isFile() && e.name.endsWith('.go') && !e.name.endsWith('_test.go')) {
      out.push(relative(base, full));
    }
  }
}

/**
 * sha256 (hex) over go.mod, go.sum and every non-test .go file under `k6Dir`,
 * each fed as "<relative path>\0<content>\0" in sorted path order. Tests are
 * left out: they do not change the binary.
 */
export async function k6SourceHash(k6Dir: string = join(ROOT, 'k6')): Promise<string> {
  const files = ['go.mod', 'go.sum'];
  await goSources(k6Dir, k6Dir, files);
  const sorted = [...new Set(files.map((f) => f.split(sep).join('/')))].sort();
  const hash = createHash('sha256');
  for (const rel of sorted) {
    let content: Buffer;
    try {
      content = await readFile(join(k6Dir, rel));
    } catch (err) {
      throw new Error(`k6 build: cannot read ${join(k6Dir, rel)} (${(err as Error).message}); is the k6/ folder complete?`);
    }
    hash.update(rel).update('\0').update(content).update('\0');
  }
  return hash.digest('hex');
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command; each complete output line goes to onLine (if given). */
function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; onLine?: (line: string) => void; timeoutMs?: number },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const partial = { out: '', err: '' };
    const feed = (key: 'out' | 'err', chunk: string): void => {
      const text = partial[key] + chunk;
      const lines = text.split('\n');
      partial[key] = lines.pop() ?? '';
      for (const l of lines) if (l.trim() !== '') opts.onLine?.(l);
    };
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      feed('out', c);
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      feed('err', c);
    });
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          child.kill('SIGTERM');
        }, opts.timeoutMs)
      : undefined;
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      for (const rest of [partial.out, partial.err]) if (rest.trim() !== '') opts.onLine?.(rest);
      resolve({ code, stdout, stderr });
    });
  });
}

const GO_MISSING =
  `Go ${MIN_GO.major}.${MIN_GO.minor}+ is needed to build the pinned k6 (.tools/bin/k6) but \`go\` was not found. ` +
  'Install Go 1.25 or newer (https://go.dev/dl/, or your package manager), make sure `go version` works ' +
  '(on Linux the tarball installs to /usr/local/go/bin), then re-run `npm run setup`.';

/** Finds a usable `go`: on PATH, else the standard /usr/local/go install. Throws with what to do. */
export async function findGo(): Promise<{ go: string; version: string }> {
  for (const candidate of ['go', '/usr/local/go/bin/go']) {
    let res: RunResult;
    try {
      res = await run(candidate, ['version'], { timeoutMs: 30_000 });
    } catch {
      continue; // ENOENT: try the next candidate
    }
    if (res.code !== 0) continue;
    const version = res.stdout.trim();
    const m = /go(\d+)\.(\d+)/.exec(version);
    if (!m) throw new Error(`k6 build: cannot parse the output of \`${candidate} version\`: ${version}`);
    const major = Number(m[1]);
    const minor = Number(m[2]);
    if (major < MIN_GO.major || (major === MIN_GO.major && minor < MIN_GO.minor)) {
      throw new Error(
        `k6 build: ${version} is too old; k6 v1.8.1 needs Go ${MIN_GO.major}.${MIN_GO.minor}+. ` +
          'Install a newer Go (https://go.dev/dl/) and re-run `npm run setup`.',
      );
    }
    return { go: candidate, version };
  }
  throw new Error(GO_MISSING);
}

export interface EnsureK6Options {
  /** Rebuild even when the stamp matches. */
  force?: boolean;
  /** Receives progress lines (the build takes minutes on 2 cores). */
  log?: (line: string) => void;
}

/** Builds .tools/bin/k6 when missing or out of date; returns its path and whether it was rebuilt. */
export async function ensureK6(opts: EnsureK6Options = {}): Promise<{ path: string; rebuilt: boolean }> {
  const log = opts.log ?? (() => {});
  const bin = pinnedK6Path();
  const k6Dir = join(ROOT, 'k6');
  const hash = await k6SourceHash(k6Dir);
  const stamp = existsSync(stampPath()) ? (await readFile(stampPath(), 'utf8')).trim() : '';
  if (!opts.force && existsSync(bin) && stamp === hash) {
    log(`k6 is up to date (${relative(ROOT, bin)}, sources ${hash.slice(0, 12)})`);
    return { path: bin, rebuilt: false };
  }
  const why = opts.force ? 'forced' : !existsSync(bin) ? 'binary missing' : 'k6/ sources changed';
  const { go, version } = await findGo();
  log(`building k6 (${why}) with ${version}; the first build downloads modules and takes a few minutes`);

  await mkdir(dirname(bin), { recursive: true });
  const tmp = `${bin}.building-${process.pid}`;
  const started = Date.now();
  let compiled = 0;
  let lastReport = started;
  const tail: string[] = [];
  const onLine = (line: string): void => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
    // `go build -v` prints one package path per compiled package; report them
    // in batches, and pass module downloads through.
    if (/^[\w.-]+(\/[\w.@~+-]+)*$/.test(line)) {
      compiled++;
      if (Date.now() - lastReport >= 10_000) {
        lastReport = Date.now();
        log(`  ${compiled} packages compiled (${Math.round((Date.now() - started) / 1000)} s), last ${line}`);
      }
    } else if (/^go: (downloading|finding|extracting)\b/.test(line)) {
      log(`  ${line}`);
    }
    // Anything else (Go's errors) stays in the tail: a failure is reported as one paragraph (setup.ts).
  };
  let res: RunResult;
  try {
    res = await run(go, ['build', '-v', '-trimpath', '-o', tmp, '.'], { cwd: k6Dir, env: process.env, onLine });
  } catch (err) {
    throw new Error(`k6 build: could not run ${go}: ${(err as Error).message}`);
  }
  if (res.code !== 0) {
    await rm(tmp, { force: true });
    throw new Error(
      `k6 build failed (\`go build -trimpath -o .tools/bin/k6 .\` in k6/ exited ${res.code}). Last output:\n` +
        tail.map((l) => `  ${l}`).join('\n') +
        '\nFix the error above (a module download failure needs network access to the Go module proxy), then re-run `npm run setup`.',
    );
  }
  await rename(tmp, bin);
  await writeFile(stampPath(), `${hash}\n`);
  const detail = compiled > 0 ? `${compiled} packages compiled` : "all packages from Go's build cache";
  log(`built ${relative(ROOT, bin)} in ${((Date.now() - started) / 1000).toFixed(1)} s (${detail})`);
  return { path: bin, rebuilt: true };
}

/** Output of `.tools/bin/k6 version` (version line plus the extensions list). */
export async function k6Version(): Promise<string> {
  const bin = k6Path();
  if (!existsSync(bin)) throw new Error(`k6 not found at ${bin}; run \`npm run setup\` to build it`);
  const res = await run(bin, ['version'], { env: k6Env(), timeoutMs: 30_000 });
  if (res.code !== 0) throw new Error(`\`${bin} version\` exited ${res.code}: ${res.stderr.trim() || res.stdout.trim()}`);
  return res.stdout.trim();
}

/** Where setup writes the whole output of a failed k6 build (the terminal gets one paragraph). */
export function k6BuildLogPath(): string {
  return join(ROOT, '.tools', 'k6-build.log');
}

/** Lines of Go's output that name a module download refused or unreachable. */
const PROXY_REFUSAL = /GOPROXY|proxy\.golang|module lookup disabled|reading https?:\/\/|403 Forbidden|404 Not Found|410 Gone|dial tcp|no such host|not-to-use|verifying .*: /i;

/**
 * One paragraph for a failed pinned k6 build: what failed (Go missing, the module proxy refusing the pinned
 * modules, or the build itself), the first line of Go's error, and how to go on without it (a k6 v1.x of one's
 * own through `TIDEMARK_K6`). The whole output goes to `logFile`, not to the terminal.
 * @param message the build's error message (ensureK6)
 */
export function k6BuildFailure(message: string, logFile: string): string {
  const lines = message.split('\n').map((l) => l.trim()).filter(Boolean);
  const goMissing = message.startsWith(GO_MISSING.slice(0, 40));
  const refused = lines.find((l) => PROXY_REFUSAL.test(l));
  const firstError = refused ?? lines.find((l) => /^go: (?!downloading|finding|extracting)|error|cannot|undefined:/i.test(l) && !l.startsWith('k6 build failed')) ?? lines[0] ?? message;
  const what = goMissing
    ? `Go ${MIN_GO.major}.${MIN_GO.minor}+ is not installed`
    : refused !== undefined
      ? `the Go module proxy did not serve the pinned modules (${firstError})`
      : `\`go build\` failed (${firstError})`;
  return (
    `k6: the pinned build (.tools/bin/k6) failed: ${what}. The rest of setup goes on, but every scenario needs a k6. ` +
    'To proceed, install k6 v1.x (https://grafana.com/docs/k6/latest/set-up/install-k6/) and set ' +
    'TIDEMARK_K6=/path/to/k6: JSON-RPC and broker scenarios run on any k6 v1.x, SSE and price-engine ones need a ' +
    `k6/x/sse extension (README "Running a scenario with plain k6"); or fix the cause and re-run \`npm run setup\`. Go's whole output: ${logFile}.`
  );
}
