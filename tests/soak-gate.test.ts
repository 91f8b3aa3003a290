/**
 * The soak gate end to end with real k6 and the real SSE target: a run whose target leaks memory per stream
 * (TIDEMARK_FAULT_MEM_KB with TIDEMARK_FAULT_MEM_LEAK) fails the gate on the RSS slope limit without any
 * baseline, and the slope it measures is the leak's rate over a clean run's. Soaks are 10 minutes by default;
 * 30-second runs keep this test short (a short run also shows start-up growth, so only the difference is
 * compared with the leak's rate; clean 10-minute slopes are in docs/RELIABILITY.md).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runGate } from '../scripts/lib/gate/run-gate.ts';
import { runScenario } from '../scripts/lib/run-scenario.ts';
import { SOAK_SLOPE_LIMIT_MB_PER_MIN } from '../scripts/lib/gate/gated-metrics.ts';

const LEAK_KB = 256;
const OPENS_PER_S = 10;
const quiet = (): void => {};
const cleanup: string[] = [];

afterAll(async () => {
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
});

describe('soak gate', () => {
  it('fails a leaking target on the RSS slope limit, and the slope is the leak rate over a clean run', async () => {
    const runId = `it-soak-leak-${process.pid}`;
    cleanup.push(`results/${runId}`);
    const report = await runGate({
      only: 'sse/soak',
      repeat: 1,
      duration: '30s',
      alpha: 0.01,
      allowMachineMismatch: false,
      runId,
      targetEnv: { TIDEMARK_FAULT_MEM_KB: String(LEAK_KB), TIDEMARK_FAULT_MEM_LEAK: '1' },
      log: quiet,
    });
    expect(report.errors).toEqual([]);
    expect(report.scenarios[0]?.invalid).toEqual([]);
    const slope = report.scenarios[0]?.metrics.find((m) => m.metric === 'rss_slope_mb_per_min');
    expect(slope).toMatchObject({ verdict: 'regression', limit: SOAK_SLOPE_LIMIT_MB_PER_MIN });
    expect(report.exitCode).toBe(1);

    const outDir = await mkdtemp(join(tmpdir(), 'tidemark-soak-'));
    cleanup.push(outDir);
    const clean = await runScenario({ scenario: 'sse/soak', runId: 'it-soak-clean', outDir, duration: '30s', log: quiet });
    expect(clean.valid).toBe(true);
    const cleanSlope = clean.resources?.rssSlopeMBPerMin ?? Number.NaN;
    // 10 streams a second each leaving 256 KiB behind: 150 MB a minute more than the clean run.
    const leakRate = (OPENS_PER_S * LEAK_KB * 60) / 1024;
    const extra = (slope?.current ?? Number.NaN) - cleanSlope;
    console.log(`soak slopes over 30 s: leaking ${slope?.current?.toFixed(1)} MB/min, clean ${cleanSlope.toFixed(1)}, leak rate ${leakRate.toFixed(1)}`);
    expect(extra).toBeGreaterThan(leakRate * 0.6);
    expect(extra).toBeLessThan(leakRate * 1.4);
  }, 180_000);
});
