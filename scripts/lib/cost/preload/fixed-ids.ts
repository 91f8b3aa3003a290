/**
 * `crypto.randomUUID` made deterministic for the cost probe: the JSON-RPC target names each MCP session with
 * one, and a random id is hashed, compared and parsed on every request of the session, so its digits would
 * make one run's count differ from the next. Ids keep the UUID v4 shape and length.
 */
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';

export function fixedRandomUUIDs(): void {
  let next = 0;
  const uuid = (): `${string}-${string}-${string}-${string}-${string}` => `00000000-0000-4000-8000-${(++next).toString(16).padStart(12, '0')}`;
  crypto.randomUUID = uuid;
  if (globalThis.crypto) Object.defineProperty(globalThis.crypto, 'randomUUID', { value: uuid, configurable: true, writable: true });
  // `import { randomUUID } from 'node:crypto'` reads the ESM namespace, which mirrors the CommonJS exports only on request.
  syncBuiltinESMExports();
}
