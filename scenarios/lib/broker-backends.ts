/**
 * What each broker backend cannot give, as the scenarios need to know it (`BROKER_BACKEND`, set by the
 * harness's `--backend`). The broker target answers these with an `unsupported` error frame; this copy lets a
 * scenario refuse a setting up front instead of failing mid-run. targets/broker/backends.test.ts checks it
 * against the backends' own declarations.
 */
import { envString } from './env.ts';

export const BROKER_BACKEND_UNSUPPORTED: Record<string, readonly string[]> = {
  memory: [],
  rabbitmq: [],
  mqtt: ['nack', 'ackTimeoutMs', 'durableShared'],
};

/** `BROKER_BACKEND` (default memory). */
export function brokerBackend(): string {
  const name = envString('BROKER_BACKEND', 'memory');
  if (!(name in BROKER_BACKEND_UNSUPPORTED)) {
    throw new Error(`BROKER_BACKEND=${name} is not a broker backend: expected one of ${Object.keys(BROKER_BACKEND_UNSUPPORTED).join(', ')}`);
  }
  return name;
}

/** Refuses a setting that needs `feature` on a backend without it, naming both and what to do. */
export function requireFeature(backend: string, feature: string, setting: string): void {
  if (BROKER_BACKEND_UNSUPPORTED[backend]?.includes(feature)) {
    throw new Error(`${setting} needs ${feature}, which the ${backend} backend does not give (targets/broker/README.md, "Backends"): leave ${setting.split('=')[0]} unset on ${backend}`);
  }
}
