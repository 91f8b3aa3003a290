/**
 * Which backend stands behind the broker target (`TIDEMARK_BROKER_BACKEND`), and opening it. The adapters
 * to real servers are imported only when chosen, so the in-memory broker never loads a client library.
 */
import type { BrokerBackend } from './backend.ts';
import type { BackendServerName } from './backend-servers.ts';
import { MemoryBackend } from './memory/backend.ts';
import type { BrokerOptions } from './options.ts';

/** The backends, by the name `TIDEMARK_BROKER_BACKEND` and `--backend` take. */
export const BROKER_BACKENDS = ['memory', 'rabbitmq', 'mqtt'] as const;
export type BrokerBackendName = (typeof BROKER_BACKENDS)[number];
export const DEFAULT_BROKER_BACKEND: BrokerBackendName = 'memory';
export const BACKEND_ENV = 'TIDEMARK_BROKER_BACKEND';

/** The server `npm run backend` starts for a backend; none for the in-memory one. */
export const BACKEND_SERVER: Record<BrokerBackendName, BackendServerName | undefined> = {
  memory: undefined,
  rabbitmq: 'rabbitmq',
  mqtt: 'mosquitto',
};

/** Kafka is named by the broker benchmarks Tidemark serves, but no Kafka server installs from the registries here. */
export const KAFKA_NOTE =
  'kafka: not available. No Kafka server can be installed from the package registries these machines reach (Debian has none), so Tidemark ships no Kafka backend.';

/**
 * Reads a backend name.
 * @throws Error listing the names when it is not one of them
 */
export function parseBackendName(raw: string, source = BACKEND_ENV): BrokerBackendName {
  if ((BROKER_BACKENDS as readonly string[]).includes(raw)) return raw as BrokerBackendName;
  const kafka = raw === 'kafka' ? ` (${KAFKA_NOTE})` : '';
  throw new Error(`${source}=${JSON.stringify(raw)} is not a broker backend: expected one of ${BROKER_BACKENDS.join(', ')}${kafka}`);
}

/** `TIDEMARK_BROKER_BACKEND`, default memory. */
export function backendFromEnv(env: NodeJS.ProcessEnv = process.env): BrokerBackendName {
  const raw = env[BACKEND_ENV]?.trim();
  return raw ? parseBackendName(raw) : DEFAULT_BROKER_BACKEND;
}

/**
 * Opens the backend: connects to its server (the adapters throw an Error naming the URL and the command that
 * starts the server when it does not answer).
 */
export async function openBrokerBackend(name: BrokerBackendName, options: BrokerOptions, env: NodeJS.ProcessEnv = process.env): Promise<BrokerBackend> {
  switch (name) {
    case 'memory':
      return new MemoryBackend(options);
    case 'rabbitmq':
      return (await import('./rabbitmq/backend.ts')).openRabbitMqBackend(options, env);
    case 'mqtt':
      return (await import('./mqtt/backend.ts')).openMqttBackend(options, env);
  }
}
