/**
 * Real k6 against the broker target on each backend (RabbitMQ and Mosquitto started by the project): every
 * profile on every backend, the backend comparison's output, the gate on a backend, and what a dead server gives.
 * (The in-memory backend's profiles in more detail: broker-scenarios.test.ts.)
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../reporters/run-result.ts';
import { renderComparisonMarkdown, renderComparisonTable } from '../reporters/backend-table.ts';
import { runBackendComparison } from '../scripts/lib/backend-compare-run.ts';
import type { BackendComparison } from '../reporters/backend-comparison.ts';
import { BACKENDS_FILE } from '../scripts/lib/backend-comparison.ts';
import { startBackendServer, stopBackendServer } from '../scripts/lib/backend-server.ts';
import { useBackendServers } from '../scripts/lib/backend-server-testing.ts';
import { repoPath } from '../scripts/lib/repo.ts';
import { runScenario } from '../scripts/lib/run-scenario.ts';
import { runGate } from '../scripts/lib/gate/run-gate.ts';
import { BROKER_BACKENDS, type BrokerBackendName } from '../targets/broker/backend-choice.ts';

useBackendServers('rabbitmq', 'mosquitto');

let outDir: string;
beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'tidemark-backends-'));
});
afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

const quiet = (): void => {};
/** Generous latency budgets: the tests check accounting, not this shared machine's scheduling jitter. */
const LOOSE = { BROKER_E2E_P99_MS: '2000', BROKER_RESUME_P95_MS: '2000', BROKER_DRAIN_BUDGET_MS: '10000' };
const value = (run: RunResult, metric: string): number => run.metrics[metric]?.value ?? Number.NaN;

/** Each profile, short, with the settings its backend can give (mqtt has no ack-timeout redelivery). */
function profileRun(profile: string, backend: BrokerBackendName): Parameters<typeof runScenario>[0] {
  const churn = profile === 'churn' || profile === 'soak';
  const vars: Record<string, string> = { ...LOOSE };
  if (churn) vars.BROKER_CHURN_HOLD_MS = '300';
  if (churn && backend !== 'mqtt') Object.assign(vars, { BROKER_ACK_SKIP_EVERY: '25', BROKER_ACK_TIMEOUT_MS: '200' });
  if (profile === 'burst') vars.BROKER_DRAIN_S = '10';
  return {
    scenario: `broker/${profile}`,
    runId: `it-${backend}-${profile}`,
    outDir,
    backend,
    duration: profile === 'burst' ? '6s' : '4s',
    k6Vars: vars,
    log: quiet,
  };
}

describe.each(BROKER_BACKENDS)('broker profiles on the %s backend', (backend) => {
  it.each(['sustained', 'burst', 'churn', 'soak'])('%s: valid, every confirmed message delivered, none lost', async (profile) => {
    const run = await runScenario(profileRun(profile, backend));
    expect(run.invalidReasons).toEqual([]);
    expect(run.backend?.name).toBe(backend);
    expect(value(run, 'broker_lost')).toBe(0);
    expect(value(run, 'broker_delivered_expected')).toBeGreaterThan(0);
    expect(value(run, 'broker_delivered')).toBe(value(run, 'broker_delivered_expected'));
    expect(value(run, 'broker_publish_errors') || 0).toBe(0);
    if (backend === 'memory') {
      expect(run.backend?.server).toBeNull(); // no server process
    } else {
      // The server process was watched: its CPU per delivery and RSS are in the run result.
      expect(run.backend?.server?.cpuMsPerOp).toBeGreaterThan(0);
      expect(run.backend?.server?.rssPeakMB).toBeGreaterThan(1);
    }
    expect(run.thresholds.filter((t) => !t.ok)).toEqual([]);
  });
});

describe('broker backends: comparison and failures', () => {
  it('compares backends in one invocation: backends.json with one entry per backend, a table and markdown', async () => {
    const runId = `it-compare-${Date.now()}`;
    const { comparison, file } = await runBackendComparison({
      scenario: 'broker/sustained',
      runId,
      backends: ['memory', 'mqtt'],
      repeat: 2,
      duration: '2s',
      k6Vars: { ...LOOSE, BROKER_RATE: '100', BROKER_DRAIN_S: '2' },
      maxRateSteps: 1,
      maxRateDuration: '2s',
      log: quiet,
    });
    try {
      expect(file).toBe(repoPath('results', runId, BACKENDS_FILE));
      const saved = JSON.parse(await readFile(file, 'utf8')) as BackendComparison;
      expect(saved).toEqual(comparison);
      expect(saved.backends.map((b) => b.backend)).toEqual(['memory', 'mqtt']);
      for (const b of saved.backends) {
        expect(b).toMatchObject({ runs: 2, validRuns: 2, duplicated: 0, outOfOrder: 0 });
        expect(b.lost.count).toBe(0);
        expect(b.lost.expected).toBe(2 * 4 * 100 * 2 * 2); // repeats x topics x rate x seconds x subscribers
        expect(b.e2eP50Ms.n).toBe(2);
        expect(b.e2eP50Ms.low).not.toBeNull();
        expect(b.deliveredPerS.mean).toBeGreaterThan(700);
        expect(b.costs.cid.cpuPerMessage?.pairs).toBe(2);
        expect(b.costs.ack.cpuPerMessage?.pairs).toBe(2);
        // One search run at the comparison's own rate, which these runs sustained.
        expect(b.maxRate?.steps.map((st) => st.rate)).toEqual([100]);
        expect(b.maxRate).toMatchObject({ rate: 100, failedAt: null });
      }
      expect(saved.backends[0]!.serverCpuUsPerMessage.mean).toBeNull(); // in memory: no server
      expect(saved.backends[1]!.serverCpuUsPerMessage.mean).toBeGreaterThan(0);
      const table = renderComparisonTable(saved);
      expect(table).toMatch(/lost \(of expected\)\s+│ 0 of 3200\s+│ 0 of 3200/);
      expect(table).toContain('kafka: not available');
      expect(table).toContain('100/s (');
      const md = renderComparisonMarkdown(saved);
      expect(md).toContain('|  | memory | mqtt |');
      expect(md).toContain('| valid runs | 2 of 2 | 2 of 2 |');
    } finally {
      await rm(repoPath('results', runId), { recursive: true, force: true });
    }
  });

  it('a backend server killed mid-run makes the run report losses and fail, never pass silently', async () => {
    try {
      const run = await runScenario({
        ...profileRun('sustained', 'mqtt'),
        runId: 'it-mqtt-killed',
        duration: '5s',
        k6Vars: { ...LOOSE, BROKER_DRAIN_S: '2' },
        onTargetReady: () => setTimeout(() => void stopBackendServer('mosquitto'), 2000),
      });
      const failed = run.thresholds.filter((t) => !t.ok).map((t) => t.metric);
      expect(!run.valid || failed.length > 0).toBe(true);
      // The lost connection shows as refused or unanswered publishes (errors) and as messages never delivered.
      expect(value(run, 'broker_publish_errors') + value(run, 'broker_unconfirmed')).toBeGreaterThan(0);
      expect(failed).toContain('tidemark_errors');
    } finally {
      await startBackendServer('mosquitto');
    }
  });

  it('gates a backend paired: both sides of each pair run the broker on it; baseline mode refuses it', async () => {
    const runId = `it-gate-mqtt-${process.pid}`;
    const gate = { only: 'broker/sustained', duration: '2s', alpha: 0.01, allowMachineMismatch: false, cost: 'skip', backend: 'mqtt', log: quiet } as const;
    try {
      const report = await runGate({ ...gate, against: 'HEAD', repeat: 2, runId });
      expect(report.errors).toEqual([]);
      expect(report.scenarios[0]).toMatchObject({ scenario: 'broker/sustained', runs: 2 });
      for (const side of ['A', 'B']) {
        const run = JSON.parse(await readFile(repoPath('results', runId, side, 'broker-sustained-mqtt-r1.json'), 'utf8')) as RunResult;
        expect(run.backend?.name).toBe('mqtt');
      }
      await expect(runGate({ ...gate, runId: `${runId}-baseline` })).rejects.toThrow('the committed broker baselines were taken on the memory backend');
    } finally {
      await rm(repoPath('results', runId), { recursive: true, force: true });
      await rm(repoPath('results', `${runId}-baseline`), { recursive: true, force: true });
    }
  }, 240_000);

  it('a backend server that is down at the start stops the run before anything starts, naming the command', async () => {
    const saved = process.env.TIDEMARK_RABBITMQ_PORT;
    process.env.TIDEMARK_RABBITMQ_PORT = '5999';
    try {
      await expect(runScenario({ ...profileRun('sustained', 'rabbitmq'), runId: 'it-down' })).rejects.toThrow(
        'rabbitmq does not answer on amqp://127.0.0.1:5999: start it with `npm run backend -- start rabbitmq`',
      );
    } finally {
      if (saved === undefined) delete process.env.TIDEMARK_RABBITMQ_PORT;
      else process.env.TIDEMARK_RABBITMQ_PORT = saved;
    }
  });
});
