import { afterEach, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { NO_FAULTS, type FaultConfig } from '../common/faults.ts';
import { Engine } from './engine.ts';
import { Hub } from './hub.ts';
import { PE_DEFAULTS, type PriceEngineOptions } from './options.ts';

const engines: Engine[] = [];
afterEach(() => {
  for (const e of engines.splice(0)) e.stop();
});

interface Q {
  symbol: string;
  seq: number;
  mid: number;
  spread: number;
  vwap: number;
  n: number;
  last: { bid: number; ask: number; size: number };
  t: number;
  e: number;
}

/** An engine with a subscriber to every symbol that keeps the parsed quotes. */
function setup(overrides: Partial<Omit<PriceEngineOptions, 'faults'>> & { faults?: Partial<FaultConfig> } = {}) {
  const hub = new Hub();
  const engine = new Engine({ ...PE_DEFAULTS, random: Math.random, ...overrides, faults: { ...NO_FAULTS, ...overrides.faults } }, hub);
  engines.push(engine);
  const quotes: Q[] = [];
  hub.subscribe({ send: (frame) => quotes.push(JSON.parse(/data: (.*)\n/.exec(frame)![1]!) as Q) }, null);
  return { engine, quotes };
}

const tick = (symbol: string, bid: number, ask: number, size = 1, time?: number) => ({ symbol, bid, ask, size, ...(time === undefined ? {} : { time }) });
const text = (ticks: unknown[]): string => JSON.stringify(ticks);

describe('Engine', () => {
  it('computes mid, spread, VWAP and last per symbol, echoes client time, stamps emission', () => {
    const { engine, quotes } = setup();
    const before = performance.timeOrigin + performance.now();
    const reply = engine.ingestText(text([tick('A', 99, 101, 1, 123.5), tick('B', 10, 10.5, 2), tick('A', 101, 103, 3, 124)]), performance.now());
    expect(reply).toEqual({ accepted: 3, rejected: 0, errors: [] });
    expect(quotes.map((q) => [q.symbol, q.seq])).toEqual([['A', 1], ['B', 1], ['A', 2]]);
    const a2 = quotes[2]!;
    expect(a2).toMatchObject({ mid: 102, spread: 2, vwap: (100 * 1 + 102 * 3) / 4, n: 2, last: { bid: 101, ask: 103, size: 3 }, t: 124 });
    expect(quotes[1]!.t).toBeGreaterThanOrEqual(before - 1); // no client time: the entry time
    expect(a2.e).toBeGreaterThanOrEqual(before);
    expect(engine.counters).toMatchObject({ ticksReceived: 3, ticksProcessed: 3, quotesEmitted: 3, quoteWrites: 3 });
    expect(engine.latency.summary().count).toBe(3);
  });

  it('an envelope time stamps the ticks without their own', () => {
    const { engine, quotes } = setup();
    engine.ingestText(JSON.stringify({ time: 5000, ticks: [tick('A', 1, 2), tick('A', 1, 2, 1, 7000)] }), performance.now());
    expect(quotes.map((q) => q.t)).toEqual([5000, 7000]);
  });

  it('refuses bad ticks with their index and reason, processes the good ones, never throws', () => {
    const { engine, quotes } = setup();
    const reply = engine.ingestText(text([tick('A', 1, 2), tick('A', 2, 1), { symbol: 'x y', bid: 1, ask: 2, size: 1 }, tick('B', -1, 2), 'junk', tick('C', 1, 2, 0)]), performance.now());
    expect(reply.accepted).toBe(1);
    expect(reply.rejected).toBe(5);
    expect(reply.errors.map((e) => [e.index, e.reason])).toEqual([[1, 'crossed'], [2, 'badSymbol'], [3, 'badPrice'], [4, 'notObject'], [5, 'badSize']]);
    expect(reply.errors[0]!.error).toMatch(/^tick 1: bid 2 is above ask 1/);
    expect(quotes).toHaveLength(1);
    expect(engine.counters.rejected).toMatchObject({ crossed: 1, badSymbol: 1, badPrice: 1, notObject: 1, badSize: 1 });
    expect(engine.counters.ticksRejected).toBe(5);
  });

  it('refuses whole batches: malformed JSON and oversized, echoing the id', () => {
    const { engine } = setup({ maxBatchTicks: 2 });
    expect(engine.ingestText('[{"symbol": "A", "bid": NaN}]', 0).batchError?.reason).toBe('malformedJson');
    const big = engine.ingestText(JSON.stringify({ id: 9, ticks: [tick('A', 1, 2), tick('A', 1, 2), tick('A', 1, 2)] }), 0);
    expect(big).toMatchObject({ id: 9, accepted: 0, batchError: { reason: 'oversizedBatch' } });
    expect(engine.counters).toMatchObject({ batches: 2, batchesRejected: 2, ticksProcessed: 0 });
  });

  it('lists at most 20 errors and counts the rest', () => {
    const { engine } = setup();
    const reply = engine.ingestText(text(Array.from({ length: 25 }, () => tick('A', 2, 1))), 0);
    expect(reply.errors).toHaveLength(20);
    expect(reply.moreErrors).toBe(5);
  });

  it('refuses new symbols beyond maxSymbols', () => {
    const { engine } = setup({ maxSymbols: 2 });
    const reply = engine.ingestText(text([tick('A', 1, 2), tick('B', 1, 2), tick('C', 1, 2), tick('A', 1, 2)]), 0);
    expect(reply.accepted).toBe(3);
    expect(reply.errors[0]).toMatchObject({ index: 2, reason: 'tooManySymbols', error: expect.stringContaining('TIDEMARK_PE_MAX_SYMBOLS') });
  });

  it('error fault refuses about its share of ticks, saying it is injected', () => {
    const { engine } = setup({ faults: { errorRate: 0.3 } });
    const reply = engine.ingestText(text(Array.from({ length: 1000 }, (_, i) => tick(`S${i % 10}`, 1, 2))), 0);
    expect(reply.rejected).toBeGreaterThan(200);
    expect(reply.rejected).toBeLessThan(400);
    expect(reply.errors[0]!.error).toContain('injected fault: TIDEMARK_FAULT_ERROR_RATE=0.3');
    expect(engine.counters.rejected.injected).toBe(reply.rejected);
  });

  it('drop fault drops about its share of quotes, leaving gaps in the per-symbol sequence', () => {
    const { engine, quotes } = setup({ faults: { dropRate: 0.2 } });
    engine.ingestText(text(Array.from({ length: 1000 }, () => tick('A', 1, 2))), 0);
    expect(engine.counters.ticksProcessed).toBe(1000);
    expect(engine.counters.quotesDropped).toBeGreaterThan(120);
    expect(engine.counters.quotesDropped).toBeLessThan(280);
    expect(quotes.length + engine.counters.quotesDropped).toBe(1000);
    const seqs = quotes.map((q) => q.seq);
    expect(seqs.some((s, i) => i > 0 && s !== seqs[i - 1]! + 1)).toBe(true);
  });

  it('delay fault emits after the delay, and the latency includes it', async () => {
    const { engine, quotes } = setup({ faults: { delayMs: 20 } });
    const entry = performance.now();
    engine.ingestText(text([tick('A', 1, 2), tick('B', 1, 2)]), entry);
    expect(quotes).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 60));
    expect(quotes).toHaveLength(2);
    for (const q of quotes) expect(q.e - (performance.timeOrigin + entry)).toBeGreaterThanOrEqual(20);
    expect(engine.latency.summary().min).toBeGreaterThanOrEqual(20);
  });

  it('CPU fault burns the asked time per tick', () => {
    const { engine } = setup({ faults: { cpuUs: 200 } });
    const t0 = performance.now();
    engine.ingestText(text(Array.from({ length: 20 }, () => tick('A', 1, 2))), t0);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(4);
    expect(engine.latency.summary().max).toBeGreaterThanOrEqual(4);
  });
});
