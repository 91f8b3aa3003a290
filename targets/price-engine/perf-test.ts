/**
 * The dashboard's "Run performance test": N ticks (default 10,000) fed at a fixed rate
 * (default 10,000/s) through the same path as network ticks (JSON text into
 * `Engine.ingestText`), with an in-process subscriber on the test symbols so every quote is
 * serialised and handed over. A short unmeasured warm-up goes first. Only the test's own
 * ticks are measured (a probe histogram), and pass means engine p95 below the 1 ms
 * requirement with no tick refused.
 */
import { performance } from 'node:perf_hooks';
import { nowEpochMs } from '../common/clock.ts';
import type { Engine, IngestProbe } from './engine.ts';
import type { Hub, QuoteSink } from './hub.ts';
import { denseHistogram, summarize, type LatencySummary } from './latency.ts';
import { P95_REQUIREMENT_MS } from './metrics.ts';
import { show } from './tick.ts';

/** What to run. */
export interface PerfTestRequest {
  /** Ticks to feed and measure. Default 10000, 1..1,000,000. */
  ticks: number;
  /**
   * Ticks fed first at the same rate and not measured, so a click is not judged on JIT compilation
   * and de-optimisation of the test's own code paths, nor on the young heap's first garbage
   * collections (a fresh process grows its heap for about 2 s; on a busy machine those scavenges
   * took up to 20 ms each). With 1 s of warm-up the first click after start measured p95 3-30 ms on
   * a busy machine, with 3 s 0.3-0.6 ms, like later clicks. Default 30000 (3 s at the default rate),
   * 0..1,000,000.
   */
  warmupTicks: number;
  /** Ticks per second. Default 10000, 1..1,000,000. */
  rate: number;
  /** Symbols the ticks are spread over (`PERFTEST.0`...). Default 100, 1..1000. */
  symbols: number;
}

export const PERF_TEST_DEFAULTS: PerfTestRequest = { ticks: 10_000, warmupTicks: 30_000, rate: 10_000, symbols: 100 };

const LIMITS: Record<keyof PerfTestRequest, [number, number]> = { ticks: [1, 1_000_000], warmupTicks: [0, 1_000_000], rate: [1, 1_000_000], symbols: [1, 1000] };

/** Reads the optional JSON body `{ticks, rate, symbols}`; an empty body means the defaults. */
export function parsePerfTestRequest(text: string): { ok: true; value: PerfTestRequest } | { ok: false; error: string } {
  if (text.trim() === '') return { ok: true, value: { ...PERF_TEST_DEFAULTS } };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `malformed JSON: ${(err as Error).message}` };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, error: 'expected an object {"ticks":N,"warmupTicks":W,"rate":R,"symbols":S} (every field optional)' };
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
  hub.subscribe(sink, symbols);
  let fed = 0;

  /** Feeds `count` ticks at the asked rate; the probe records their latency. */
  const feed = async (count: number, probe: IngestProbe): Promise<{ accepted: number; rejected: number; durationMs: number }> => {
    let sent = 0;
    let accepted = 0;
    let rejected = 0;
    const started = performance.now();
    while (sent < count) {
      // Slot k is due at start + k/rate: late wake-ups send what is due, so the rate holds on average.
      const due = Math.min(count, Math.floor(((performance.now() - started) * req.rate) / 1000) + 1);
      const n = Math.min(due - sent, maxBatchTicks);
      if (n > 0) {
        // Built as text directly: objects plus JSON.stringify would add garbage, and the extra GC
        // pauses would land on the measured ticks.
        let text = `{"time":${nowEpochMs()},"ticks":[`;
        for (let k = 0; k < n; k++) {
          const i = fed++ % symbols.length;
          let mid = mids[i]! + ((fed * 7919) % 11) / 100 - 0.05;
          if (mid < 1) mid = 100;
          mids[i] = mid;
          text += `${k === 0 ? '' : ','}{"symbol":"${symbols[i]}","bid":${(mid - 0.01).toFixed(4)},"ask":${(mid + 0.01).toFixed(4)},"size":${1 + (fed % 10)}}`;
        }
        text += ']}';
        const reply = engine.ingestText(text, performance.now(), probe);
        accepted += reply.accepted;
        rejected += reply.rejected;
        sent += n;
      }
      if (sent < count) {
        const wait = started + (sent * 1000) / req.rate - performance.now();
        await sleep(Math.max(0, Math.ceil(wait)));
      }
    }
    if (extraWaitMs > 0) await sleep(extraWaitMs);
    return { accepted, rejected, durationMs: performance.now() - started };
  };

  try {
    // The warm-up takes the same path, probe included, so the measured part runs the same compiled code.
    if (req.warmupTicks > 0) await feed(req.warmupTicks, { latencyNs: denseHistogram() });
    const probe = { latencyNs: denseHistogram() };
    const run = await feed(req.ticks, probe);
    const latency = summarize(probe.latencyNs);
    return {
      ...req,
      accepted: run.accepted,
      rejected: run.rejected,
      measured: latency.count,
      durationMs: Math.round(run.durationMs * 10) / 10,
      achievedRate: Math.round((req.ticks / run.durationMs) * 1000),
      latency,
      requirement: { metric: 'latency p95', belowMs: P95_REQUIREMENT_MS },
      pass: latency.p95 !== null && latency.p95 < P95_REQUIREMENT_MS && run.rejected === 0,
    };
  } finally {
    hub.unsubscribe(sink, symbols);
  }
}
