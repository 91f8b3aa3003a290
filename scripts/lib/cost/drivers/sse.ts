/**
 * SSE cost workload: events written to a fixed set of private streams and topic subscribers, paced by the
 * target's virtual clock (virtual-clock.ts). Operation = one event written to one client.
 *
 * The target is timer-driven: each producer emits the events due by its clock. Every stream asks for
 * 1000 events/s, the most the target allows, so one clock step of 1 ms makes every producer emit exactly one
 * event; all streams open at the same virtual instant, so all producers are in phase and one step fires them
 * all in one turn of the event loop. A step is sent only when every event of the previous one has arrived,
 * so what the target does per step never depends on timing. With 15 s of virtual time or more per run the
 * 15 s heartbeat would land in the window; the workloads stay below it (see MAX_STEPS).
 */
import { request, type ClientRequest } from 'node:http';
import type { Socket } from 'node:net';
import { createParser } from 'eventsource-parser';
import { Arrivals } from './arrivals.ts';
import type { CostDriver, DriveContext } from './driver.ts';
import { REQUEST_TIMEOUT_MS, socketClosed } from './loopback-http.ts';
import { seededInts } from './seeded.ts';

const RATE = 1000;
const STEP_MS = 1000 / RATE;
/** Payload sizes of the private streams, drawn once per stream from the seeded generator. */
const PRIVATE_SIZES = [0, 16, 64, 256, 1024, 4096];
const PRIVATE_STREAMS = 8;
const TOPIC_SUBSCRIBERS = 8;
const TOPIC_SIZE = 128;
const OPS_PER_STEP = PRIVATE_STREAMS + TOPIC_SUBSCRIBERS;
/** Below the 15 s heartbeat in virtual time (1 ms a step). */
const MAX_STEPS = 14_000;

/** One open event stream, counting `tick` events into `arrivals`. */
interface OpenStream {
  socket: Socket;
  req: ClientRequest;
}

/**
 * Opens `path`, counting its `tick` events into `arrivals`. Resolves once its first event arrived, or with
 * `firstEvent` false once the response head arrived (a topic's later subscribers get nothing until the next
 * step; the target subscribes them before it answers). Streams open one after the other.
 */
async function openStream(ctx: DriveContext, path: string, arrivals: Arrivals, firstEvent: boolean): Promise<OpenStream> {
  await ctx.idle();
  const port = ctx.port;
  return new Promise((resolve, reject) => {
    const before = arrivals.count;
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`GET ${path}: status ${res.statusCode}`));
        return;
      }
      const parser = createParser({ onEvent: (e) => e.event === 'tick' && arrivals.add() });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => parser.feed(chunk));
      res.on('error', () => {}); // the close at the end cuts the stream
      const opened = { socket: res.socket, req };
      if (firstEvent) arrivals.until(before + 1).then(() => resolve(opened), reject);
      else resolve(opened);
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`GET ${path}: no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', (err) => {
      if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err);
    });
    req.end();
  });
}

export const sseDriver: CostDriver = {
  target: 'sse',
  unit: 'SSE event written to a client',
  sizes: { small: 16_000, large: 32_000 },
  async drive(ctx: DriveContext, ops: number): Promise<void> {
    const int = seededInts();
    const arrivals = new Arrivals('SSE events');
    const streams: OpenStream[] = [];
    try {
      // First events: one per private stream, one for the topic's first subscriber (later ones join after it).
      for (let i = 0; i < PRIVATE_STREAMS; i++) {
        const size = PRIVATE_SIZES[int(0, PRIVATE_SIZES.length - 1)] as number;
        streams.push(await openStream(ctx, `/events?rate=${RATE}&size=${size}`, arrivals, true));
      }
      streams.push(await openStream(ctx, `/events?topic=cost&rate=${RATE}&size=${TOPIC_SIZE}`, arrivals, true));
      const opened = arrivals.count;
      for (let i = 1; i < TOPIC_SUBSCRIBERS; i++) streams.push(await openStream(ctx, '/events?topic=cost', arrivals, false));
      const steps = Math.min(MAX_STEPS, Math.max(0, Math.ceil((ops - opened) / OPS_PER_STEP)));
      for (let s = 1; s <= steps; s++) {
        await ctx.idle();
        ctx.advanceClock(STEP_MS);
        await arrivals.until(opened + s * OPS_PER_STEP);
      }
    } finally {
      // One at a time, each awaited until the target closed its end: it handles every close before it stops.
      for (const { socket } of streams) {
        await ctx.idle();
        socket.end();
        await socketClosed(socket);
      }
    }
  },
};
