/**
 * Engine-internal latency of exactly this run: `setup()` asks the engine for a mark at the end of the
 * warm-up (`POST /metrics/marks {"afterMs"}`) and `teardown()` reads `/metrics.json?mark=<id>`, so earlier
 * runs, the warm-up and other traffic before the mark are left out. The figures become gauges, so
 * thresholds apply to them.
 */
import http from 'k6/http';
import { sleep } from 'k6';
import { withAuth } from './auth.ts';
import { logError } from './price-log.ts';
import * as m from './price-metrics.ts';

/**
 * Marks the engine `afterMs` from now (the end of the warm-up, so JIT compilation at the start does not
 * count); returns the mark id. Throws (the run stops) when the target is not a Tidemark price engine.
 */
export function markEngine(baseUrl: string, afterMs: number): string {
  const res = http.post(`${baseUrl}/metrics/marks`, JSON.stringify({ afterMs }), { headers: withAuth(), tags: { name: 'POST /metrics/marks' } });
  const id = res.status === 201 ? (res.json('id') as string | undefined) : undefined;
  if (typeof id !== 'string') {
    throw new Error(`POST ${baseUrl}/metrics/marks answered ${res.status}: is TARGET_URL a Tidemark price engine?`);
  }
  return id;
}

interface WindowBody {
  window?: { latency: { count: number; p50: number | null; p95: number | null; p99: number | null; max: number | null } };
}

/**
 * Reads the engine's latency since `markId` into the `pe_engine_*_ms` gauges. When it cannot
 * (target gone, no quote emitted) the gauges get a huge value, so the p95 threshold fails loudly
 * instead of passing on no data.
 */
export function recordEngineLatency(baseUrl: string, markId: string): void {
  const res = http.get(`${baseUrl}/metrics.json?mark=${encodeURIComponent(markId)}`, { headers: withAuth(), tags: { name: 'GET /metrics.json' } });
  const body = res.status === 200 ? (res.json() as WindowBody) : null;
  const latency = body?.window?.latency;
  if (!latency || latency.count === 0 || latency.p95 === null) {
    logError(`engine latency unavailable: GET /metrics.json?mark=${markId} answered ${res.status} with ${latency?.count ?? 0} quotes`);
    for (const g of [m.engineP50, m.engineP95, m.engineP99, m.engineMax]) g.add(1e9);
    return;
  }
  m.engineP50.add(latency.p50 ?? 1e9);
  m.engineP95.add(latency.p95);
  m.engineP99.add(latency.p99 ?? 1e9);
  m.engineMax.add(latency.max ?? 1e9);
}

/** Polls `/stats` until no quote stream is open (up to `timeoutMs`, default 3000) and records how many are left. */
export function recordSubscribersLeft(baseUrl: string, timeoutMs = 3000): void {
  const deadline = Date.now() + timeoutMs;
  let left = -1;
  for (let i = 0; i < 100 && Date.now() < deadline; i++) {
    const res = http.get(`${baseUrl}/stats`, { headers: withAuth(), tags: { name: 'GET /stats' } });
    left = res.status === 200 ? ((res.json('subscribers') as number | undefined) ?? -1) : -1;
    if (left === 0) break;
    sleep(0.1); // the engine sees a closed stream within a moment of the client closing it
  }
  m.subscribersLeft.add(left < 0 ? 1e9 : left);
}
