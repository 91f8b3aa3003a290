/** The reference targets: entry file, default port and unit of work of each (BLUEPRINT "Reference targets"). */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TargetInfo {
  /** Entry point relative to the repository root. */
  entry: string;
  /** Port used by `npm run target` when `--port` is not given. */
  defaultPort: number;
  /** What `ops` in its `/stats` counts. */
  unit: 'events' | 'requests' | 'messages' | 'ticks';
}

export const TARGETS = {
  sse: { entry: 'targets/sse/index.ts', defaultPort: 8081, unit: 'events' },
  jsonrpc: { entry: 'targets/jsonrpc/index.ts', defaultPort: 8082, unit: 'requests' },
  broker: { entry: 'targets/broker/index.ts', defaultPort: 8083, unit: 'messages' },
  'price-engine': { entry: 'targets/price-engine/index.ts', defaultPort: 8084, unit: 'ticks' },
} as const satisfies Record<string, TargetInfo>;

export type TargetName = keyof typeof TARGETS;

/** Absolute path of this repository (scripts/lib/../..). */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function isTargetName(name: string): name is TargetName {
  return Object.hasOwn(TARGETS, name);
}

/** The registry entry of `name`; throws listing the known targets when it is unknown. */
export function targetInfo(name: string): TargetInfo {
  if (!isTargetName(name)) {
    throw new Error(`unknown target ${JSON.stringify(name)}: known targets are ${Object.keys(TARGETS).join(', ')}`);
  }
  return TARGETS[name];
}

/**
 * Absolute path of a target's entry file.
 * @param root repository whose `targets/` to use; default this repository
 * @throws when the name is unknown or the entry file does not exist (yet)
 */
export function targetEntry(name: string, root: string = REPO_ROOT): string {
  const info = targetInfo(name);
  const entry = join(root, info.entry);
  if (!existsSync(entry)) {
    throw new Error(`target ${JSON.stringify(name)} is registered but its entry ${info.entry} does not exist in ${root}: it is not built yet, or pick another target`);
  }
  return entry;
}
