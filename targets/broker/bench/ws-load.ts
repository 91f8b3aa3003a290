/**
 * Saturating load over WebSockets with `ws` clients: P publishers on one topic, each keeping `window`
 * publishes unconfirmed (closed loop: a confirm releases the next publish), S subscribers that ack every
 * delivery. Reports delivered messages/s, end-to-end latency (delivery receipt minus the broker's accept
 * stamp `t`, both on the wall clock of this machine) and the broker's CPU per delivered message from its
 * `/stats`. The client is kept cheap (no JSON.parse per delivery) so the broker is what saturates.
 */
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import * as hdr from 'hdr-histogram-js';
import { WebSocket } from 'ws';
import { nowEpochMs } from '../../common/clock.ts';

export interface LoadOptions {
  /** `ws://host:port/ws` */
  wsUrl: string;
  /** `http://host:port` (for `/stats`) */
  baseUrl: string;
  /** Publisher connections. */
  publishers: number;
  /** Subscriber connections, each getting every message. */
  subscribers: number;
  /** Unconfirmed publishes each publisher keeps in flight. Default 32. */
  window?: number;
  /** Payload bytes. Default 64. */
  size?: number;
  /** Manual ack (true) or no-ack subscriptions. Default true. */
  ack?: boolean;
  /**
   * Ack mode: one frame per delivery (false) or the acks of each `ackBatchMs` in one `seqs` frame (true; up to
   * 1000, as the k6 scenarios send them). Default true.
   */
  ackBatch?: boolean;
  /** Batch period for acks, ms. Default 5. */
  ackBatchMs?: number;
  /** Publish with correlation ids. Default true. */
  cid?: boolean;
  /** Seconds of load before measuring. Default 1. */
  warmupS?: number;
  /** Seconds measured. Default 3. */
  seconds?: number;
}

export interface LoadResult {
  deliveredPerS: number;
  publishedPerS: number;
  e2eP50Ms: number;
  e2eP99Ms: number;
  /** Broker CPU time (user + system) per delivered message, µs. */
  brokerCpuUsPerDelivery: number;
  /** Broker CPU time / wall time while measuring (1 = one core busy). */
  brokerCpuShare: number;
  /** Error frames received (e.g. backlog_full). */
  errors: number;
}

interface BrokerSample {
  cpuUs: number;
  ops: number;
  at: number;
}

async function sample(baseUrl: string): Promise<BrokerSample> {
  const s = (await (await fetch(`${baseUrl}/stats`)).json()) as { ops: number; cpuUs: { user: number; system: number } };
  return { cpuUs: s.cpuUs.user + s.cpuUs.system, ops: s.ops, at: performance.now() };
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/**
 * Writes of one event-loop turn go out in one syscall (the broker does the same). `ws` has no public
 * cork, so this reaches its socket (`_socket`, present on every open client in ws 8).
 */
function corker(ws: WebSocket): () => void {
  const socket = (ws as unknown as { _socket: Socket })._socket;
  let corked = false;
  const uncork = (): void => {
    corked = false;
    socket.uncork();
  };
  return () => {
    if (corked) return;
    corked = true;
    socket.cork();
    process.nextTick(uncork);
  };
}

/** Reads the number after `key` in a frame without parsing the JSON. */
function numberAfter(text: string, key: string): number {
  const i = text.indexOf(key);
  if (i < 0) return Number.NaN;
  const start = i + key.length;
  let end = start;
  while (end < text.length && text.charCodeAt(end) !== 44 /* , */ && text.charCodeAt(end) !== 125 /* } */) end++;
  return Number(text.slice(start, end));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs one load and returns its figures; every connection is closed when it returns. */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const window = o.window ?? 32;
  const size = o.size ?? 64;
  const ack = o.ack ?? true;
  const ackBatch = o.ackBatch ?? true;
  const cid = o.cid ?? true;
  const topic = `bench-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
  const sockets: WebSocket[] = [];
  const timers: NodeJS.Timeout[] = [];
  let measuring = false;
  let running = true;
  let delivered = 0;
  let published = 0;
  let errors = 0;

  try {
    for (let j = 0; j < o.subscribers; j++) {
      const ws = await open(o.wsUrl);
      sockets.push(ws);
      const cork = corker(ws);
      const ackHead = `{"op":"ack","topic":"${topic}","seq":`;
      const batchHead = `{"op":"ack","topic":"${topic}","seqs":[`;
      let batch: number[] = [];
      const flush = (): void => {
        if (batch.length > 0 && ws.readyState === WebSocket.OPEN) ws.send(`${batchHead}${batch.join(',')}]}`);
        batch = [];
      };
      if (ack && ackBatch) timers.push(setInterval(flush, o.ackBatchMs ?? 5));
      await new Promise<void>((resolve, reject) => {
        ws.on('message', (data: Buffer) => {
          const text = data.toString('latin1');
          if (text.startsWith('{"op":"msg"')) {
            const seq = numberAfter(text, '"seq":');
            if (measuring) {
              delivered++;
              histogram.recordValue(Math.max(1, Math.round((nowEpochMs() - numberAfter(text, '"t":')) * 1000)));
            }
            if (!ack) return;
            if (!ackBatch) {
              cork();
              return void ws.send(`${ackHead}${seq}}`);
            }
            if (batch.push(seq) === 1000) flush();
          } else if (text.startsWith('{"op":"subscribed"')) resolve();
          else if (text.startsWith('{"op":"error"')) {
            errors++;
            reject(new Error(`subscribe failed: ${text}`));
          }
        });
        ws.send(JSON.stringify({ op: 'sub', topic, ack, prefetch: 10_000 }));
      });
    }
    const body = JSON.stringify('x'.repeat(size));
    for (let i = 0; i < o.publishers; i++) {
      const ws = await open(o.wsUrl);
      sockets.push(ws);
      const cork = corker(ws);
      let n = 0;
      const head = `{"op":"pub","topic":"${topic}","id":"${i}-`;
      const publish = (): void => {
        cork();
        const id = ++n;
        ws.send(cid ? `${head}${id}","cid":"c${i}-${id}","data":${body}}` : `${head}${id}","data":${body}}`);
      };
      ws.on('message', (data: Buffer) => {
        if (data[7] === 0x65 /* the e of {"op":"error" */) errors++;
        else if (measuring) published++;
        if (running) publish();
      });
      for (let k = 0; k < window; k++) publish();
    }
    await sleep((o.warmupS ?? 1) * 1000);
    const before = await sample(o.baseUrl);
    measuring = true;
    await sleep((o.seconds ?? 3) * 1000);
    measuring = false;
    const after = await sample(o.baseUrl);
    running = false;
    const wallS = (after.at - before.at) / 1000;
    const ops = Math.max(1, after.ops - before.ops);
    return {
      deliveredPerS: delivered / wallS,
      publishedPerS: published / wallS,
      e2eP50Ms: histogram.getValueAtPercentile(50) / 1000,
      e2eP99Ms: histogram.getValueAtPercentile(99) / 1000,
      brokerCpuUsPerDelivery: (after.cpuUs - before.cpuUs) / ops,
      brokerCpuShare: (after.cpuUs - before.cpuUs) / 1e6 / wallS,
      errors,
    };
  } finally {
    running = false;
    for (const t of timers) clearInterval(t);
    for (const ws of sockets) ws.terminate();
    histogram.destroy();
  }
}
