/**
 * Price-engine cost workload: ticks in over the WebSocket ingest, quotes out to SSE subscribers. Operation =
 * one tick processed (the engine's `ops`).
 *
 * Three quote streams (every symbol, four symbols, two symbols) open first. A step sends one batch of four
 * seeded ticks over eight symbols with an `id` (so the engine acknowledges it), then waits for the
 * acknowledgement and for every quote the subscribers are due, before the next batch. The probe's clock stands
 * still, so every tick of a run arrives at the same engine instant: the VWAP window is bounded by its tick count,
 * not by time, and the once-a-second latency rotation never runs.
 */
import { request, type ClientRequest } from 'node:http';
import type { Socket } from 'node:net';
import { createParser } from 'eventsource-parser';
import { Arrivals } from './arrivals.ts';
import type { CostDriver, DriveContext } from './driver.ts';
import { REQUEST_TIMEOUT_MS, socketClosed } from './loopback-http.ts';
import { seededInts } from './seeded.ts';
import { connectWs } from './ws-client.ts';

const SYMBOLS = ['EUR/USD', 'GBP/USD', 'USD/JPY', 'AAPL', 'MSFT', 'BRK.B', 'ES.Z5', 'BTC-USD'];
/** Quote streams: every symbol (null), then two subsets. */
const STREAMS: Array<string[] | null> = [null, ['EUR/USD', 'AAPL', 'ES.Z5', 'BTC-USD'], ['GBP/USD', 'MSFT']];
const TICKS_PER_BATCH = 4;

interface QuoteStream {
  symbols: Set<string> | null;
  arrivals: Arrivals;
  socket: Socket;
  req: ClientRequest;
}

/** Opens a quote stream and resolves once its head arrived (the engine registers it before answering). */
async function openQuotes(ctx: DriveContext, symbols: string[] | null): Promise<QuoteStream> {
  await ctx.idle();
  const port = ctx.port;
  const path = symbols === null ? '/quotes' : `/quotes?symbols=${encodeURIComponent(symbols.join(','))}`;
  const arrivals = new Arrivals(`quotes on ${path}`);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`GET ${path}: status ${res.statusCode}`));
      const parser = createParser({ onEvent: (e) => e.event === 'quote' && arrivals.add() });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => parser.feed(chunk));
      res.on('error', () => {}); // the close at the end cuts the stream
      resolve({ symbols: symbols === null ? null : new Set(symbols), arrivals, socket: res.socket, req });
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`GET ${path}: no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', (err) => {
      if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err);
    });
    req.end();
  });
}

/** A tick for `symbol` around a seeded mid price; bid below ask, so every tick is accepted. */
function tick(int: (min: number, max: number) => number, symbol: string): Record<string, unknown> {
  const mid = 100 + int(0, 10_000) / 100;
  const halfSpread = int(1, 50) / 1000;
  return { symbol, bid: Number((mid - halfSpread).toFixed(4)), ask: Number((mid + halfSpread).toFixed(4)), size: int(1, 1000) * 100 };
}

export const priceEngineDriver: CostDriver = {
  target: 'price-engine',
  unit: 'tick processed',
  sizes: { small: 4000, large: 8000 },
  async drive(ctx: DriveContext, ops: number): Promise<void> {
    const int = seededInts();
    const streams: QuoteStream[] = [];
    const acks = new Arrivals('tick batch acknowledgements');
    let lastAck = '';
    await ctx.idle();
    const ingest = await connectWs(ctx.port, '/ticks', (text) => {
      lastAck = text;
      acks.add();
    });
    try {
      for (const symbols of STREAMS) streams.push(await openQuotes(ctx, symbols));
      const steps = Math.ceil(ops / TICKS_PER_BATCH);
      for (let id = 1; id <= steps; id++) {
        const ticks = Array.from({ length: TICKS_PER_BATCH }, () => tick(int, SYMBOLS[int(0, SYMBOLS.length - 1)] as string));
        const due = streams.map((s) => s.arrivals.count + ticks.filter((t) => s.symbols === null || s.symbols.has(t.symbol as string)).length);
        await ctx.idle();
        ingest.send(JSON.stringify({ id, ticks }));
        await acks.until(id);
        if (!lastAck.includes(`"accepted":${TICKS_PER_BATCH},"rejected":0`)) throw new Error(`batch ${id} not fully accepted: ${lastAck.slice(0, 300)}`);
        for (const [i, s] of streams.entries()) await s.arrivals.until(due[i] as number);
      }
    } finally {
      await ctx.idle();
      await ingest.close();
      for (const { socket } of streams) {
        await ctx.idle();
        socket.end();
        await socketClosed(socket);
      }
    }
  },
};
