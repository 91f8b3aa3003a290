/**
 * The Go side of the k6 build (k6/: main.go and the k6/x/sse extension) passes its own checks: `go test ./...`,
 * `go vet ./...`, and `gofmt -l` lists no file. Needs Go (as `npm run setup` does); the first run compiles k6's test
 * dependencies, later ones come from Go's build cache.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findGo } from '../scripts/lib/k6-build.ts';
import { repoPath } from '../scripts/lib/repo.ts';

const K6_DIR = repoPath('k6');
/** Cold builds of k6's test dependencies take minutes on 2 cores. */
const GO_TIMEOUT_MS = 600_000;

/** Runs a command in k6/ and returns its exit code and output; killed after GO_TIMEOUT_MS. */
function run(cmd: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: K6_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), GO_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('k6/ Go module', () => {
  it('go test ./... passes', { timeout: GO_TIMEOUT_MS + 10_000 }, async () => {
    const { go } = await findGo();
    const res = await run(go, ['test', '-count=1', './...']);
    expect(res.code, res.output).toBe(0);
  });

  it('go vet ./... is clean', { timeout: GO_TIMEOUT_MS + 10_000 }, async () => {
    const { go } = await findGo();
    const res = await run(go, ['vet', './...']);
    expect(res.code, res.output).toBe(0);
  });

  it('gofmt -l lists no file', async () => {
    const { go } = await findGo();
    const goroot = (await run(go, ['env', 'GOROOT'])).output.trim();
    const res = await run(join(goroot, 'bin', 'gofmt'), ['-l', '.']);
    expect(res.code, res.output).toBe(0);
    expect(res.output.trim(), 'files gofmt would change (run `gofmt -w k6/`)').toBe('');
  });
});
