/** The cost driver of each target, and the version of its workload (part of the facts a baseline records). */
import type { TargetName } from '../../target-registry.ts';
import { brokerDriver } from './broker.ts';
import type { CostDriver } from './driver.ts';
import { jsonrpcDriver } from './jsonrpc.ts';
import { priceEngineDriver } from './price-engine.ts';
import { sseDriver } from './sse.ts';

const DRIVERS: Record<TargetName, CostDriver> = {
  sse: sseDriver,
  jsonrpc: jsonrpcDriver,
  broker: brokerDriver,
  'price-engine': priceEngineDriver,
};

/**
 * Bump a target's number whenever its driver sends other requests (mix, sizes, seed, settings): counts from
 * another workload are not comparable, and the version in a baseline's facts makes the gate say so.
 */
const WORKLOAD_VERSIONS: Record<TargetName, number> = { sse: 1, jsonrpc: 1, broker: 1, 'price-engine': 1 };

export function costDriver(target: TargetName): CostDriver {
  return DRIVERS[target];
}

/** e.g. `jsonrpc/1` */
export function workloadVersion(target: TargetName): string {
  return `${target}/${WORKLOAD_VERSIONS[target]}`;
}
