import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../scripts/lib/repo.ts';

const run = promisify(execFile);

async function tsc(project: string): Promise<string> {
  try {
    await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project, '--noEmit'], { cwd: repoRoot });
    return '';
  } catch (err) {
    return (err as { stdout?: string }).stdout ?? String(err);
  }
}

describe('strict type checking', () => {
  it('Node code (targets, reporters, scripts, tests) type-checks', async () => {
    expect(await tsc('tsconfig.json')).toBe('');
  });
  it('k6 code (scenarios, with @types/k6 and the k6/x/sse declaration) type-checks', async () => {
    expect(await tsc('scenarios/tsconfig.json')).toBe('');
  });
});
