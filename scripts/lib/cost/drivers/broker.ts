/**
 * Broker cost workload: publish, deliver, ack over the broker's WebSocket protocol. Operation = one message
 * delivered (the broker's `ops`).
 *
 * One publisher and three subscriptions to one topic (a plain one, a group of one, a durable one), each on
 * its own connection, all in ack mode. A step: publish one message (seeded payload), wait for its confirm and
 * its three deliveries, then ack each delivery with a receipt, one after the other. Every frame waits for the
 * answer to the one before, so the broker never sees two connections' frames in a timing-dependent order
 * (acks without receipts would race the next publish across connections).
 */
import type { CostDriver, DriveContext } from './driver.ts';
import { Arrivals } from './arrivals.ts';
import { seededInts } from './seeded.ts';
import { connectWs, type WsConnection } from './ws-client.ts';

const TOPIC = 'cost';
const SUBSCRIPTIONS = [{}, { group: 'workers' }, { durable: 'audit' }];
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];

interface Frame {
  op: string;
  seq?: number;
}

/** One connection: the frames it received, their count, and the driver's idle wait. */
interface Connection {
  conn: WsConnection;
  frames: Frame[];
  arrivals: Arrivals;
  idle: () => Promise<void>;
}

/** A connection that records each frame it receives and counts them. */
async function connect(ctx: DriveContext): Promise<Connection> {
  const frames: Frame[] = [];
  const arrivals = new Arrivals('broker frames');
  await ctx.idle();
  const conn = await connectWs(ctx.port, '/ws', (text) => {
    frames.push(JSON.parse(text) as Frame);
    arrivals.add();
  });
  return { conn, frames, arrivals, idle: ctx.idle };
}

/** Sends `frame` and waits for the next frame on that connection, which must have op `expected`. */
async function exchange(c: Connection, frame: object, expected: string): Promise<Frame> {
  const before = c.arrivals.count;
  await c.idle();
  c.conn.send(JSON.stringify(frame));
  await c.arrivals.until(before + 1);
  const got = c.frames[before] as Frame;
  if (got.op !== expected) throw new Error(`broker answered ${JSON.stringify(got).slice(0, 200)} to ${JSON.stringify(frame).slice(0, 100)}, expected op ${expected}`);
  return got;
}

export const brokerDriver: CostDriver = {
  target: 'broker',
  unit: 'message delivered',
  sizes: { small: 3000, large: 6000 },
  async drive(ctx: DriveContext, ops: number): Promise<void> {
    const int = seededInts();
    const opened: Connection[] = [];
    try {
      const publisher = await connect(ctx);
      opened.push(publisher);
      const subscribers = [];
      for (const options of SUBSCRIPTIONS) {
        const s = await connect(ctx);
        opened.push(s);
        await exchange(s, { op: 'sub', topic: TOPIC, ...options }, 'subscribed');
        subscribers.push(s);
      }
      const steps = Math.ceil(ops / SUBSCRIPTIONS.length);
      for (let n = 1; n <= steps; n++) {
        const data = { order: n, sku: WORDS[int(0, WORDS.length - 1)], qty: int(1, 100), tags: WORDS.slice(0, int(0, 4)) };
        const seen = subscribers.map((s) => s.arrivals.count);
        await exchange(publisher, { op: 'pub', topic: TOPIC, id: `m-${n}`, data }, 'ok');
        for (const [i, s] of subscribers.entries()) {
          await s.arrivals.until((seen[i] as number) + 1);
          const msg = s.frames[seen[i] as number] as Frame;
          if (msg.op !== 'msg' || typeof msg.seq !== 'number') throw new Error(`expected a delivery, got ${JSON.stringify(msg).slice(0, 200)}`);
          await exchange(s, { op: 'ack', topic: TOPIC, seq: msg.seq, receipt: true }, 'acked');
        }
      }
    } finally {
      for (const c of opened) {
        await ctx.idle();
        await c.conn.close();
      }
    }
  },
};
