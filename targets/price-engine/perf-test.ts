/**
 * The dashboard's "Run performance test": N ticks (default 10,000) fed at a fixed rate
 * (default 10,000/s) through the same path as network ticks (JSON text into
 * `Engine.ingestText`), with an in-process subscriber on the test symbols so every quote is
 * serialised and written. Only the test's own ticks are measured (a probe histogram), and
 * pass means engine p95 below the 1 ms requirement.
 */
import { performance } from 'node:perf_hooks';
import { nowEpochMs } from '../common/clock.ts';
import type { Engine } from './engine.ts';
import type { Hub, QuoteSink } from './hub.ts';
import { denseHistogram, summarize, type LatencySummary } from './latency.ts';
import { P95_REQUIREMENT_MS } from './metrics.ts';
import { show } from './tick.ts';

/** What to run. */
export interface PerfTestRequest {
  /** Ticks to feed. Default 10000, 1..1,000,000. */
  ticks: number;
  /** Ticks per second. Default 10000, 1..1,000,000. */
  rate: number;
  /** Symbols the ticks are spread over (`PERFTEST.0`...). Default 100, 1..1000. */
  symbols: number;
}

export const PERF_TEST_DEFAULTS: PerfTestRequest = { ticks: 10_000, rate: 10_000, symbols: 100 };

const LIMITS: Record<keyof PerfTestRequest, [number, number]> = { ticks: [1, 1_000_000], rate: [1, 1_000_000], symbols: [1, 1000] };

/** Reads the optional JSON body `{ticks, rate, symbols}`; an empty body means the defaults. */
export function parsePerfTestRequest(text: string): { ok: true; value: PerfTestRequest } | { ok: false; error: string } {
  if (text.trim() === '') return { ok: true, value: { ...PERF_TEST_DEFAULTS } };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `malformed JSON: ${(err as Error).message}` };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, error: 'expected an object {"ticks":N,"rate":R,"symbols":S} (every field optional)' };
  const value = { ...PERF_TEST_DEFAULTS };
  for (const key of Object.keys(LIMITS) as (keyof PerfTestRequest)[]) {
    const v = (body as Record<string, unknown>)[key];
    if (v === undefined) continue;
    const [min, max] = LIMITS[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      return { ok: false, error: `${key}=${show(v)} is invalid: expected an integer from ${min} to ${max} (default ${PERF_TEST_DEFAULTS[key]})` };
    }
    value[key] = v;
  }
  return { ok: true, value };
}

/** The outcome shown on the dashboard. */
export interface PerfTestResult extends PerfTestRequest {
  accepted: number;
  rejected: number;
  /** Quotes measured (accepted minus any dropped by the drop fault). */
  measured: number;
  durationMs: number;
  achievedRate: number;
  /** Engine-internal latency of the test's ticks, ms. */
  latency: LatencySummary;
  requirement: { metric: 'latency p95'; belowMs: number };
  pass: boolean;
}

/** Counts frames, as a subscriber that reads instantly would. */
class CountingSink implements QuoteSink {
  frames = 0;
  send(): void {
    this.frames++;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs a test; resolves when every tick was fed and its quotes emitted.
 * @param extraWaitMs time allowed after the last batch for delayed quotes (the delay fault); default 0
 */
export async function runPerfTest(engine: Engine, hub: Hub, req: PerfTestRequest, maxBatchTicks: number, extraWaitMs = 0): Promise<PerfTestResult> {
  const symbols = Array.from({ length: req.symbols }, (_, i) => `PERFTEST.${i}`);
  const mids = symbols.map((_, i) => 100 + i);
  const sink = new CountingSink();
  const probe = { latencyNs: denseHistogram() };
  hub.subscribe(sink, symbols);
  let sent = 0;
  let accepted = 0;
  let rejected = 0;
  const started = performance.now();
  try {
    while (sent < req.ticks) {
      // Slot k is due at start + k/rate: late wake-ups send what is due, so the rate holds on average.
      const due = Math.min(req.ticks, Math.floor(((performance.now() - started) * req.rate) / 1000) + 1);
      const n = Math.min(due - sent, maxBatchTicks);
      if (n > 0) {
        const batch = [];
        const time = nowEpochMs();
        for (let k = 0; k < n; k++) {
          const i = (sent + k) % symbols.length;
          mids[i]! += (((sent + k) * 7919) % 11) / 100 - 0.05;
          if (mids[i]! < 1) mids[i] = 100;
          batch.push({ symbol: symbols[i], bid: mids[i]! - 0.01, ask: mids[i]! + 0.01, size: 1 + ((sent + k) % 10), time });
        }
        const reply = engine.ingestText(JSON.stringify(batch), performance.now(), probe);
        accepted += reply.accepted;
        rejected += reply.rejected;
        sent += n;
      }
      if (sent < req.ticks) {
        const wait = started + (sent * 1000) / req.rate - performance.now();
        await sleep(Math.max(0, Math.ceil(wait)));
      }
    }
    if (extraWaitMs > 0) await sleep(extraWaitMs);
  } finally {
    hub.unsubscribe(sink, symbols);
  }
  const durationMs = performance.now() - started;
  const latency = summarize(probe.latencyNs);
  return {
    ...req,
    accepted,
    rejected,
    measured: latency.count,
    durationMs: Math.round(durationMs * 10) / 10,
    achievedRate: Math.round((sent / durationMs) * 1000),
    latency,
    requirement: { metric: 'latency p95', belowMs: P95_REQUIREMENT_MS },
    pass: latency.p95 !== null && latency.p95 < P95_REQUIREMENT_MS && rejected === 0,
  };
}
