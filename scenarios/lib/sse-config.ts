/** SSE scenario settings from the environment, with defaults sized for CI on 2 cores. */
import { envDurationS, envNumber, envString, targetUrl } from './env.ts';

export interface SseConfig {
  /** Target base URL (`TARGET_URL`, default http://127.0.0.1:8081). */
  baseUrl: string;
  /** Streams held at steady state (`SSE_CONNECTIONS`, default 50). */
  connections: number;
  /** Events per second per stream (`SSE_RATE`, default 20). */
  rate: number;
  /** Payload bytes per event (`SSE_SIZE`, default 64). */
  size: number;
  /** Broadcast topic; empty for a private stream per connection (`SSE_TOPIC`, default empty). */
  topic: string;
  /** Steady-state length (`TIDEMARK_DURATION`, default 15s). */
  durationS: number;
  /** p95 delivery-latency budget, ms (`SSE_LATENCY_P95_MS`, default 50). */
  latencyP95Ms: number;
}

export function sseConfig(defaults: Partial<Omit<SseConfig, 'baseUrl'>> = {}): SseConfig {
  return {
    baseUrl: targetUrl('http://127.0.0.1:8081'),
    connections: envNumber('SSE_CONNECTIONS', defaults.connections ?? 50, { min: 1, max: 100000, integer: true }),
    rate: envNumber('SSE_RATE', defaults.rate ?? 20, { min: 0.1, max: 1000 }),
    size: envNumber('SSE_SIZE', defaults.size ?? 64, { min: 0, max: 65536, integer: true }),
    topic: envString('SSE_TOPIC', defaults.topic ?? ''),
    durationS: envDurationS('TIDEMARK_DURATION', `${defaults.durationS ?? 15}s`),
    latencyP95Ms: envNumber('SSE_LATENCY_P95_MS', defaults.latencyP95Ms ?? 50, { min: 0 }),
  };
}

/** Thresholds every SSE scenario shares: 0 gaps, errors < 1%, p95 delivery budget. */
export function sseThresholds(cfg: SseConfig): Record<string, string[]> {
  return {
    sse_gaps: ['count==0'],
    tidemark_errors: ['rate<0.01'],
    sse_delivery_latency: [`p(95)<${cfg.latencyP95Ms}`],
  };
}
