/**
 * The GitHub Actions workflows: actionlint (built from its Go module on demand, ~20 s the first time) finds
 * nothing, every `npm run X` they call exists, and the gate workflow keeps its security and CI contract.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureActionlint, runActionlint, workflowFiles } from '../scripts/lib/actionlint.ts';
import { repoPath } from '../scripts/lib/repo.ts';

const files = workflowFiles();
const texts = files.map((f) => readFileSync(f, 'utf8'));
const gate = readFileSync(repoPath('.github', 'workflows', 'gate.yml'), 'utf8');

/**
 * The actions the workflows may use, pinned to the commit of a release tag, with the inputs that tag's
 * action.yml declares. actionlint cannot check the inputs of an action pinned by SHA, so this does; when
 * bumping a pin, take the tag's commit and inputs from the action's repository.
 */
const PINNED: Record<string, { sha: string; tag: string; inputs: string[] }> = {
  'actions/checkout': {
    sha: '3d3c42e5aac5ba805825da76410c181273ba90b1',
    tag: 'v7.0.1',
    inputs: ['repository', 'ref', 'token', 'ssh-key', 'ssh-known-hosts', 'ssh-strict', 'ssh-user', 'persist-credentials', 'path', 'clean', 'filter', 'sparse-checkout', 'sparse-checkout-cone-mode', 'fetch-depth', 'fetch-tags', 'show-progress', 'lfs', 'submodules', 'set-safe-directory', 'github-server-url', 'allow-unsafe-pr-checkout'],
  },
  'actions/setup-go': {
    sha: 'b7ad1dad31e06c5925ef5d2fc7ad053ef454303e',
    tag: 'v7.0.0',
    inputs: ['go-version', 'go-version-file', 'check-latest', 'token', 'cache', 'cache-dependency-path', 'architecture', 'go-download-base-url'],
  },
  'actions/setup-node': {
    sha: '820762786026740c76f36085b0efc47a31fe5020',
    tag: 'v7.0.0',
    inputs: ['node-version', 'node-version-file', 'architecture', 'check-latest', 'registry-url', 'scope', 'token', 'cache', 'package-manager-cache', 'cache-dependency-path', 'mirror', 'mirror-token'],
  },
  'actions/cache': {
    sha: '27d5ce7f107fe9357f9df03efb73ab90386fccae',
    tag: 'v5.0.5',
    inputs: ['path', 'key', 'restore-keys', 'upload-chunk-size', 'enableCrossOsArchive', 'fail-on-cache-miss', 'lookup-only', 'save-always'],
  },
  'actions/upload-artifact': {
    sha: 'bbbca2ddaa5d8feaa63e36b76fdaad77386f024f',
    tag: 'v7.0.0',
    inputs: ['name', 'path', 'if-no-files-found', 'retention-days', 'compression-level', 'overwrite', 'include-hidden-files', 'archive'],
  },
};

interface UsesStep {
  action: string;
  ref: string;
  comment: string;
  withKeys: string[];
}

/** Every `uses:` step of a workflow text with the keys of its `with:` block (indentation-based). */
function usesSteps(text: string): UsesStep[] {
  const lines = text.split('\n');
  const steps: UsesStep[] = [];
  lines.forEach((line, i) => {
    const m = /^(\s*)(- )?uses:\s*([^@\s]+)@(\S+)\s*(?:#\s*(.*))?$/.exec(line);
    if (!m) return;
    const keyIndent = (m[1] as string).length + (m[2] ? 2 : 0);
    const withKeys: string[] = [];
    for (let j = i + 1; j < lines.length; j++) {
      const l = lines[j] as string;
      if (l.trim() === '') continue;
      const indent = l.length - l.trimStart().length;
      if (indent < keyIndent || (indent === keyIndent && l.trimStart().startsWith('- '))) break;
      if (indent === keyIndent && l.trim() === 'with:') {
        for (let k = j + 1; k < lines.length; k++) {
          const w = lines[k] as string;
          const wi = w.length - w.trimStart().length;
          if (w.trim() === '') continue;
          if (wi <= keyIndent) break;
          const key = /^\s*([\w-]+):/.exec(w);
          if (wi === keyIndent + 2 && key) withKeys.push(key[1] as string);
        }
      }
    }
    steps.push({ action: m[3] as string, ref: m[4] as string, comment: (m[5] ?? '').trim(), withKeys });
  });
  return steps;
}

describe('GitHub Actions workflows', () => {
  it('exist', () => {
    expect(files.map((f) => basename(f))).toContain('gate.yml');
  });

  it('pass actionlint', async () => {
    const { path } = await ensureActionlint();
    expect(existsSync(path)).toBe(true);
    const res = await runActionlint(files);
    expect(res.out).toBe('');
    expect(res.code).toBe(0);
  }, 300_000);

  it('actionlint does catch a broken workflow', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tidemark-wf-'));
    try {
      await mkdir(join(dir, '.github', 'workflows'), { recursive: true });
      const bad = join(dir, '.github', 'workflows', 'bad.yml');
      await writeFile(bad, 'on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo "${{ github.no_such_field }}"\n        timeout-minutes: soon\n');
      const res = await runActionlint([bad]);
      expect(res.code).toBe(1);
      expect(res.out).toContain('timeout-minutes');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it('call only npm scripts that exist in package.json', () => {
    const scripts = (JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const called = new Set(texts.flatMap((t) => [...t.matchAll(/\bnpm run ([\w:.-]+)/g)].map((m) => m[1] as string)));
    expect([...called].sort()).toEqual(expect.arrayContaining(['baseline', 'gate', 'setup']));
    for (const name of called) expect(Object.keys(scripts), `npm run ${name}`).toContain(name);
    // Nothing but npm scripts and shell glue: no npx or tsx calls that a developer would not run.
    for (const t of texts) expect(t).not.toMatch(/\b(npx|tsx) /);
  });

  it('pin every action to the full commit of a release tag, named beside it, with inputs that tag declares', () => {
    const steps = texts.flatMap(usesSteps);
    expect(steps.length).toBeGreaterThanOrEqual(5);
    for (const step of steps) {
      const pin = PINNED[step.action];
      expect(pin, `${step.action} is not in the list of vetted actions`).toBeDefined();
      expect(step.ref, step.action).toBe(pin?.sha);
      expect(step.comment, step.action).toBe(pin?.tag);
      for (const key of step.withKeys) expect(pin?.inputs, `${step.action} with: ${key}`).toContain(key);
    }
  });

  it('gate.yml: least privilege, cancelled when superseded, bounded in time', () => {
    expect(gate).toMatch(/^permissions:\n {2}contents: read\n/m);
    expect(gate).not.toMatch(/: write\b/);
    expect(gate).toMatch(/^concurrency:\n {2}group: .+\n {2}cancel-in-progress: true\n/m);
    expect(gate).toMatch(/^ {4}timeout-minutes: \d+$/m);
    expect(gate).toContain('persist-credentials: false');
    // Secrets reach only the step that writes to InfluxDB.
    expect(gate.match(/secrets\./g)?.length).toBe(3);
  });

  it('gate.yml: triggers, history for paired mode, caches, InfluxDB, report and results', () => {
    expect(gate).toMatch(/^on:\n {2}pull_request:\n {2}push:\n {4}branches: \[main\]\n {2}workflow_dispatch:\n/m);
    expect(gate).toContain('fetch-depth: 0');
    expect(gate).toContain('cache-dependency-path: k6/go.sum');
    expect(gate).toContain('cache: npm');
    expect(gate).toContain("hashFiles('k6/go.mod', 'k6/go.sum', 'k6/**/*.go')");
    expect(gate).toMatch(/path: \.tools\/bin\n/);
    expect(gate).toMatch(/image: influxdb:1\.8\n\s+ports:\n\s+- 8086:8086/);
    expect(gate).toContain('against="origin/$BASE_REF"');
    expect(gate).toContain('--influx "$INFLUX_URL"');
    for (const secret of ['TIDEMARK_INFLUX_URL', 'TIDEMARK_INFLUX_USERNAME', 'TIDEMARK_INFLUX_PASSWORD']) expect(gate).toContain(`secrets.${secret}`);
    expect(gate).toContain('cat "$REPORT" >> "$GITHUB_STEP_SUMMARY"');
    expect(gate).toMatch(/Upload results \(also on failure\)\n\s+if: \$\{\{ always\(\) \}\}/);
    expect(gate).toMatch(/refresh-baselines:\n\s+description: .+\n\s+type: boolean/);
  });

  it('npm run setup stays lean: it does not build actionlint', () => {
    expect(readFileSync(repoPath('scripts', 'setup.ts'), 'utf8')).not.toMatch(/actionlint/i);
  });
});
