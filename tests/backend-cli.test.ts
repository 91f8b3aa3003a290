/** `npm run backend`: help, status and bad input, through the real CLI (starting the servers: backends.test.ts and others). */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoPath, repoRoot } from '../scripts/lib/repo.ts';

function backendCli(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', repoPath('scripts', 'backend.ts'), ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('npm run backend', () => {
  it('--help names the servers, their ports and the Kafka statement', () => {
    const r = backendCli('--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/rabbitmq\s+port 5673 \(env TIDEMARK_RABBITMQ_PORT\)/);
    expect(r.out).toMatch(/mosquitto\s+port 1884 \(env TIDEMARK_MOSQUITTO_PORT\)/);
    expect(r.out).toContain('kafka: not available');
  });

  it('status says running or stopped for each server, with its URL', () => {
    const r = backendCli('status', 'all');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^rabbitmq\s+(running|stopped)\s+amqp:\/\/127\.0\.0\.1:5673/m);
    expect(r.out).toMatch(/^mosquitto\s+(running|stopped)\s+mqtt:\/\/127\.0\.0\.1:1884/m);
  });

  it('refuses an unknown server or command, naming what is valid (exit 2)', () => {
    const kafka = backendCli('start', 'kafka');
    expect(kafka.code).toBe(2);
    expect(kafka.err).toContain('unknown server "kafka": expected rabbitmq, mosquitto or all');
    const bad = backendCli('restart', 'mosquitto');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unknown command "restart": expected start, stop or status');
    expect(backendCli('start').err).toContain('start needs a server: rabbitmq, mosquitto or all');
  });
});
