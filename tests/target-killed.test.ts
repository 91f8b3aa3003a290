/** A target that dies mid-run: the run is invalid with the reason, nothing hangs, partial results are kept. */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runFiles, runScenario } from '../scripts/lib/run-scenario.ts';
import { compareAll, gateExitCode } from '../scripts/lib/gate/compare.ts';
import { gatedFigures } from '../scripts/lib/gate/gated-metrics.ts';
import { fakeRun } from '../scripts/lib/gate/fake-run.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('target killed mid-run', () => {
  it('marks the run invalid with the reason, finishes on time, keeps the partial result, and the gate exits 2', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'tidemark-killed-'));
    dirs.push(outDir);
    const started = Date.now();
    const run = await runScenario({
      scenario: 'sse/sustained',
      runId: 'it-killed',
      outDir,
      duration: '8s',
      k6Vars: { SSE_CONNECTIONS: '5' },
      log: () => {},
      onTargetReady: (pid) => setTimeout(() => process.kill(pid, 'SIGKILL'), 2500),
      // Pinned where possible: the pid handed out must be the target's own (taskset execs it), or this kill misses.
      pin: true,
    });
    // Streams end when the target dies; k6 must not wait for its 8 s hold plus the grace period.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(run.valid).toBe(false);
    expect(run.invalidReasons.join(' ')).toMatch(/target died: target process exited \(SIGKILL\)/);
    expect(run.metrics.sse_events?.value).toBeGreaterThan(0);
    const files = runFiles(outDir, 'sse/sustained');
    expect(existsSync(files.result) && existsSync(files.resources) && existsSync(files.k6Log)).toBe(true);

    const baseline = [fakeRun({ p95: 2 }), fakeRun({ p95: 2 })].map(gatedFigures);
    const verdict = compareAll([{ scenario: 'sse/sustained', gated: { latency_p95: { direction: 'lower', margin: 0.03 } }, reference: baseline, current: [run] }]);
    expect(verdict[0]?.verdict).toBe('invalid');
    expect(gateExitCode(verdict)).toBe(2);
  }, 60_000);
});
