/**
 * In-process benchmark of the broker core (no sockets): publish + fan-out to N subscriptions, in ack
 * mode (each delivery acked right after the publish) and no-ack mode, optionally with the wire encoding
 * the WebSocket layer adds; then the memory held per message.
 *
 *   npx tsx targets/broker/bench/core-bench.ts [--subscribers 1,4,16] [--deliveries 2000000] [--payload 64] [--json]
 *
 * Throughput is deliveries per second (one delivery = one message handed to one subscriber, the broker's
 * unit of work), best of 3 rounds after a warm-up. Overhead per message is heap bytes held per message
 * minus its payload bytes, measured after forced GC: (a) waiting in a backlog (a durable subscription with
 * no consumer), (b) delivered and unacked to N ack-mode subscribers. Ids and payloads are made per message
 * as the server makes them (JSON.parse results), so their string headers count as overhead.
 */
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Consumer, Message, SubscriptionHandle } from '../backend.ts';
import { MemoryBackend } from '../memory/backend.ts';
import { deliveryBytes } from '../wire.ts';

const USAGE = `usage: npx tsx targets/broker/bench/core-bench.ts [--subscribers 1,4,16] [--deliveries N] [--payload BYTES] [--json]
  --subscribers  fan-out sizes to measure (default 1,4,16)
  --deliveries   deliveries per measured round (default 2000000)
  --payload      payload bytes per message (default 64)
  --json         print one JSON object instead of the table`;

/** Forced GC for the memory figures (the flag must be set before the function is fetched). */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A subscriber that remembers the last delivered seq; optionally encodes the wire frame as the server does. */
class BenchConsumer implements Consumer {
  last = 0;
  handle!: SubscriptionHandle;
  constructor(private readonly encode: boolean) {}
  deliver(m: Message, _attempt: number): boolean {
    if (this.encode) deliveryBytes(m);
    this.last = m.seq;
    return true;
  }
}

interface Case {
  subscribers: number;
  ack: boolean;
  encode: boolean;
}

interface CaseResult extends Case {
  deliveriesPerS: number;
  publishesPerS: number;
}

function attach(b: MemoryBackend, topic: string, n: number, ack: boolean, encode: boolean, prefetch = 1000): BenchConsumer[] {
  const consumers: BenchConsumer[] = [];
  for (let i = 0; i < n; i++) {
    const c = new BenchConsumer(encode);
    const r = b.subscribe({ topic, ack, prefetch, ackTimeoutMs: 600_000 }, c);
    if (r instanceof Promise || !r.ok) throw new Error('subscribe failed');
    c.handle = r.handle;
    r.handle.resume();
    consumers.push(c);
  }
  return consumers;
}

/** Publishes `publishes` messages; in ack mode each subscriber acks each delivery right after the publish. */
function run(b: MemoryBackend, consumers: BenchConsumer[], ack: boolean, publishes: number, payload: string, from: number): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < publishes; i++) {
    const r = b.publish('bench', `m${from + i}`, undefined, payload, payload.length);
    if (!r.ok) throw new Error(`publish refused: ${r.message}`);
    if (ack) for (const c of consumers) c.handle.ack(c.last);
  }
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function measure(c: Case, deliveries: number, payload: string): CaseResult {
  const b = new MemoryBackend({ maxBacklog: 1_000_000 });
  try {
    const consumers = attach(b, 'bench', c.subscribers, c.ack, c.encode);
    const publishes = Math.max(1, Math.round(deliveries / c.subscribers));
    let next = 1;
    run(b, consumers, c.ack, Math.min(publishes, 200_000), payload, next); // warm-up: JIT, map growth
    next += 200_000;
    let best = Infinity;
    for (let round = 0; round < 3; round++) {
      best = Math.min(best, run(b, consumers, c.ack, publishes, payload, next));
      next += publishes;
    }
    return { ...c, deliveriesPerS: (publishes * c.subscribers) / best, publishesPerS: publishes / best };
  } finally {
    b.close();
  }
}

/**
 * Heap bytes per held message minus payload bytes. Each message gets its own id and payload string,
 * made inside the measured window as the server makes them (payload: one JSON.stringify result, a flat string).
 */
function overhead(kind: 'backlog' | 'unacked', subscribers: number, payloadBytes: number, count = 200_000): number {
  const b = new MemoryBackend({ maxBacklog: count + 1, maxBacklogBytes: 1024 ** 3 });
  try {
    if (kind === 'backlog') {
      const r = b.subscribe({ topic: 'mem', durable: 'd', ack: true, prefetch: 1, ackTimeoutMs: 600_000 }, new BenchConsumer(false));
      if (r instanceof Promise || !r.ok) throw new Error('subscribe failed');
      r.handle.close(); // parked: everything published now waits in the backlog
    }
    gc();
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < count; i++) {
      // Unacked deliveries are bounded by prefetch per consumer: spread the messages over topics to hold them all.
      const topic = kind === 'unacked' ? `mem${Math.floor(i / 60_000)}` : 'mem';
      if (kind === 'unacked' && i % 60_000 === 0) attach(b, topic, subscribers, true, true, 65_536);
      const r = b.publish(topic, `m${i}`, undefined, JSON.parse(`{"d":"${String(i).padStart(payloadBytes, 'x')}"}`).d, payloadBytes);
      if (!r.ok) throw new Error(`publish refused: ${r.message}`);
    }
    gc();
    gc();
    const held = process.memoryUsage().heapUsed - before;
    if (b.stats().backlogMessages !== count) throw new Error(`expected ${count} held messages, have ${b.stats().backlogMessages}`);
    return held / count - payloadBytes;
  } finally {
    b.close();
  }
}

function main(): void {
  const { values } = parseArgs({
    options: { subscribers: { type: 'string' }, deliveries: { type: 'string' }, payload: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const fanouts = (values.subscribers ?? '1,4,16').split(',').map(Number);
  const deliveries = Number(values.deliveries ?? 2_000_000);
  const payloadBytes = Number(values.payload ?? 64);
  if (fanouts.some((n) => !Number.isInteger(n) || n < 1 || n > 1000) || !(deliveries >= 1000) || !(payloadBytes >= 1)) {
    process.stderr.write(`bad arguments\n${USAGE}\n`);
    process.exit(2);
  }
  const payload = 'x'.repeat(payloadBytes);
  const results: CaseResult[] = [];
  for (const subscribers of fanouts) {
    for (const ack of [true, false]) {
      for (const encode of [false, true]) results.push(measure({ subscribers, ack, encode }, deliveries, payload));
    }
  }
  const memory = {
    backlogBytesPerMessage: overhead('backlog', 0, payloadBytes),
    unackedBytesPerMessage: Object.fromEntries([1, 4].map((n) => [n, overhead('unacked', n, payloadBytes)])),
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ node: process.version, payloadBytes, results, memory }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`broker core, in-process, ${payloadBytes}-byte payloads, node ${process.version}\n`);
  process.stdout.write('subscribers  mode    wire-encode  deliveries/s   publishes/s\n');
  for (const r of results) {
    process.stdout.write(
      `${String(r.subscribers).padStart(11)}  ${(r.ack ? 'ack' : 'no-ack').padEnd(6)}  ${(r.encode ? 'yes' : 'no').padEnd(11)}  ${Math.round(r.deliveriesPerS).toLocaleString('en').padStart(12)}  ${Math.round(r.publishesPerS).toLocaleString('en').padStart(12)}\n`,
    );
  }
  process.stdout.write(`overhead per message waiting in a backlog: ${memory.backlogBytesPerMessage.toFixed(0)} bytes (beyond the payload)\n`);
  for (const [n, v] of Object.entries(memory.unackedBytesPerMessage)) {
    process.stdout.write(`overhead per message delivered and unacked to ${n} ack-mode subscriber(s): ${v.toFixed(0)} bytes\n`);
  }
}

main();
