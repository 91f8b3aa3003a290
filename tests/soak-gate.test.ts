/**
 * The soak gate end to end with real k6 and the real SSE target: a 5-minute soak (the shortest that gives a slope:
 * the first 2 minutes are start-up growth, and 3 more are needed) of a target that leaks 64 KiB per stream
 * (TIDEMARK_FAULT_MEM_KB with TIDEMARK_FAULT_MEM_LEAK) fails the gate on the RSS slope limit without any
 * baseline, and the slope measured is the leak's rate. A clean soak is not repeated here: ten-minute clean
 * slopes are in docs/RELIABILITY.md, and a 1-minute soak is shown to give no slope at all.
 */
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { runGate, type GateOptions } from '../scripts/lib/gate/run-gate.ts';
import { SOAK_SLOPE_LIMIT_MB_PER_MIN } from '../scripts/lib/gate/gated-metrics.ts';

const LEAK_KB = 64;
const OPENS_PER_S = 10;
const quiet = (): void => {};
const cleanup: string[] = [];

afterAll(async () => {
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
});

function soakGate(name: string, duration: string, targetEnv: Record<string, string> = {}): ReturnType<typeof runGate> {
  const runId = `it-soak-${name}-${process.pid}`;
  cleanup.push(`results/${runId}`);
  const opts: GateOptions = { only: 'sse/soak', repeat: 1, duration, alpha: 0.01, allowMachineMismatch: false, runId, targetEnv, cost: 'skip', log: quiet };
  return runGate(opts);
}

describe('soak gate', () => {
  it('a 1-minute soak gives no slope (start-up growth is not a leak): reported, not a regression', async () => {
    const report = await soakGate('short', '1m', { TIDEMARK_FAULT_MEM_KB: String(LEAK_KB), TIDEMARK_FAULT_MEM_LEAK: '1' });
    expect(report.scenarios[0]?.metrics).toEqual([expect.objectContaining({ metric: 'rss_slope_mb_per_min', current: null, verdict: 'insufficient' })]);
    expect(report.exitCode).toBe(0);
  }, 180_000);

  it('fails a leaking target on the RSS slope limit, and the slope is the leak rate', async () => {
    const report = await soakGate('leak', '5m', { TIDEMARK_FAULT_MEM_KB: String(LEAK_KB), TIDEMARK_FAULT_MEM_LEAK: '1' });
    expect(report.errors).toEqual([]);
    expect(report.scenarios[0]?.invalid).toEqual([]);
    const slope = report.scenarios[0]?.metrics.find((m) => m.metric === 'rss_slope_mb_per_min');
    expect(slope).toMatchObject({ verdict: 'regression', limit: SOAK_SLOPE_LIMIT_MB_PER_MIN });
    expect(report.exitCode).toBe(1);
    // 10 streams a second each leaving 64 KiB behind: 37.5 MB a minute, on top of a clean slope of about 0.4.
    const leakRate = (OPENS_PER_S * LEAK_KB * 60) / 1024;
    console.log(`soak slope with a ${leakRate.toFixed(1)} MB/min leak: ${slope?.current?.toFixed(1)} MB/min`);
    expect(slope?.current).toBeGreaterThan(leakRate * 0.6);
    expect(slope?.current).toBeLessThan(leakRate * 1.4);
  }, 480_000);
});
