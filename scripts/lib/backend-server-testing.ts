/**
 * Test helper: the real RabbitMQ and Mosquitto a test file needs, on their usual project ports. A server
 * already running (started with `npm run backend`) is used and left running; one this helper started is
 * stopped after the file's tests, even when they fail.
 */
import { afterAll, beforeAll } from 'vitest';
import type { BackendServerName } from '../../targets/broker/backend-servers.ts';
import { startBackendServer, stopBackendServer } from './backend-server.ts';

export function useBackendServers(...names: BackendServerName[]): void {
  const started: BackendServerName[] = [];
  beforeAll(async () => {
    for (const name of names) {
      const s = await startBackendServer(name);
      if (!s.alreadyRunning) started.push(name);
    }
  }, 90_000);
  afterAll(async () => {
    for (const name of started.splice(0)) await stopBackendServer(name);
  }, 60_000);
}
