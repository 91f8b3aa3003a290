/** Two harness invocations at once never overwrite each other: distinct run ids, ports and result folders. */
import { readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { repoPath } from '../scripts/lib/repo.ts';
import { newRunId } from '../scripts/lib/run-id.ts';
import { runScenario } from '../scripts/lib/run-scenario.ts';

const ids: string[] = [];
afterAll(async () => {
  for (const id of ids) await rm(repoPath('results', id), { recursive: true, force: true });
});

describe('parallel runs', () => {
  it('two runs started in the same second keep separate, complete results', async () => {
    const now = new Date();
    const [a, b] = [newRunId('0123456789abcdef', now), newRunId('0123456789abcdef', now)] as [string, string];
    ids.push(a, b);
    expect(a).not.toBe(b);
    const [ra, rb] = await Promise.all(
      [a, b].map((runId) => runScenario({ scenario: 'sse/sustained', runId, duration: '2s', k6Vars: { SSE_CONNECTIONS: '3' }, log: () => {} })),
    );
    expect(ra?.runId).toBe(a);
    expect(rb?.runId).toBe(b);
    expect(ra?.targetUrl).not.toBe(rb?.targetUrl);
    for (const id of [a, b]) expect(readdirSync(repoPath('results', id))).toContain('sse-sustained.json');
    expect(ra?.metrics.sse_events?.value).toBeGreaterThan(0);
    expect(rb?.metrics.sse_events?.value).toBeGreaterThan(0);
  }, 60_000);
});
