/**
 * Cost of two protocol features, measured side by side in one invocation with the variants interleaved
 * round by round (so machine drift hits them alike):
 *   - correlation ids: publishes with `cid` (echoed in confirms and deliveries) vs without, both in ack mode;
 *   - acks: manual-ack subscriptions vs no-ack, both with correlation ids. Acks go in `seqs` batches as the
 *     scenarios send them; one frame per delivery is measured too, for reference.
 *
 * Two measurements per variant:
 *   1. in-process: the broker's own work per message without sockets (parse the publish frame, publish,
 *      encode the confirm and the delivery, parse and apply each subscriber's ack): deliveries per CPU
 *      second, each measurement in a fresh process (JIT state must not depend on the variant run before)
 *      and by CPU time, not wall time (other processes on the machine must not count), best of 3 runs;
 *   2. over WebSockets: the broker in its own process under saturating `ws` load (see ws-load.ts):
 *      delivered messages/s and broker CPU µs per delivery (capacity = 1 / CPU per delivery).
 *
 *   npx tsx targets/broker/bench/feature-impact.ts [--rounds 3] [--seconds 3] [--publishers 4] [--subscribers 2] [--skip-ws] [--json]
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Consumer, Message, SubscriptionHandle } from '../backend.ts';
import { MemoryBackend } from '../memory/backend.ts';
import { parseClientFrame } from '../protocol.ts';
import { confirmFrame, deliveryBytes } from '../wire.ts';
import { startBroker } from './broker-process.ts';
import { runLoad } from './ws-load.ts';

const USAGE = 'usage: npx tsx targets/broker/bench/feature-impact.ts [--rounds 3] [--seconds 3] [--publishers 4] [--subscribers 2] [--skip-ws] [--json]';

interface Variant {
  name: 'ack+cid' | 'ack, no cid' | 'no-ack+cid' | 'ack each+cid';
  ack: boolean;
  /** Acks in `seqs` batches (the scenarios' default) or one frame per delivery. */
  ackBatch: boolean;
  cid: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'ack+cid', ack: true, ackBatch: true, cid: true },
  { name: 'ack, no cid', ack: true, ackBatch: true, cid: false },
  { name: 'no-ack+cid', ack: false, ackBatch: true, cid: true },
  { name: 'ack each+cid', ack: true, ackBatch: false, cid: true },
];

/** In-process: a batched ack frame carries this many seqs (ws: whatever arrived in one event-loop turn). */
const IN_PROCESS_BATCH = 32;
/** In-process: alternating rounds, and messages per variant per round (short runs: load drift hits neighbours alike). */
const IN_PROCESS_ROUNDS = 60;
const IN_PROCESS_RUN = 30_000;

/** Forced GC between runs, so a run does not pay for the garbage of the variant before it. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const DEFAULTS = { prefetch: 1000, ackTimeoutMs: 30_000 };

/** A subscriber as the WebSocket layer runs it: encodes the delivery, remembers the seqs to ack. */
class CodecConsumer implements Consumer {
  handle!: SubscriptionHandle;
  toAck: number[] = [];
  bytes = 0;
  deliver(m: Message, _attempt: number): boolean {
    this.bytes += deliveryBytes(m).length;
    this.toAck.push(m.seq);
    return true;
  }

  /** Sends the acks as the client would (one frame each, or one `seqs` frame) and applies them as the session does. */
  settle(batch: boolean): void {
    const texts = batch ? [`{"op":"ack","topic":"feat","seqs":[${this.toAck.join(',')}]}`] : this.toAck.map((s) => `{"op":"ack","topic":"feat","seq":${s}}`);
    this.toAck = [];
    for (const text of texts) {
      const parsed = parseClientFrame(text, DEFAULTS);
      if (!parsed.ok || parsed.frame.op !== 'ack') throw new Error(`ack parse failed: ${text}`);
      for (const seq of parsed.frame.seqs) this.handle.ack(seq);
    }
  }
}

/** One variant's in-process broker, kept across rounds so every run continues the same topic. */
class Rig {
  private readonly backend = new MemoryBackend({ maxBacklog: 1_000_000 });
  private readonly consumers: CodecConsumer[] = [];
  private next = 1;
  private readonly data = JSON.stringify('x'.repeat(64));

  constructor(
    readonly v: Variant,
    readonly subscribers: number,
  ) {
    for (let j = 0; j < subscribers; j++) {
      const c = new CodecConsumer();
      const r = this.backend.subscribe({ topic: 'feat', ack: v.ack, prefetch: 1000, ackTimeoutMs: 600_000 }, c);
      if (r instanceof Promise || !r.ok) throw new Error('subscribe failed');
      c.handle = r.handle;
      r.handle.resume();
      this.consumers.push(c);
    }
  }

  /**
   * Pushes `n` messages through the broker's per-message work; returns the CPU seconds (user + system) it took.
   * Publish frames arrive as bytes, made before the clock starts (making them is the client's work). Ack
   * frames are made inside the timed loop, so the ack figures slightly overstate the broker's ack cost.
   */
  private frames: Buffer[] = [];

  /** Makes the publish frames of the next run (the client's work, outside the timed part). */
  prepare(n: number): void {
    const { v, data } = this;
    this.frames = [];
    for (let i = this.next; i < this.next + n; i++) {
      this.frames.push(Buffer.from(v.cid ? `{"op":"pub","topic":"feat","id":"p-${i}","cid":"c-${i}","data":${data}}` : `{"op":"pub","topic":"feat","id":"p-${i}","data":${data}}`));
    }
  }

  run(n: number): number {
    if (this.frames.length !== n) this.prepare(n);
    const { v, consumers, backend, frames } = this;
    const cpu0 = process.cpuUsage();
    let confirmBytes = 0;
    for (const frame of frames) {
      const parsed = parseClientFrame(frame.toString('utf8'), DEFAULTS, frame);
      if (!parsed.ok || parsed.frame.op !== 'pub') throw new Error('parse failed');
      const f = parsed.frame;
      const r = backend.publish(f.topic, f.id, f.cid, f.data, frame.length);
      if (!r.ok) throw new Error(r.message);
      confirmBytes += Buffer.byteLength(confirmFrame(f.id, r.seq, r.t));
      if (!v.ack) {
        for (const c of consumers) c.toAck.length = 0;
        continue;
      }
      for (const c of consumers) if (!v.ackBatch || c.toAck.length >= IN_PROCESS_BATCH) c.settle(v.ackBatch);
    }
    this.next += n;
    this.frames = [];
    if (confirmBytes === 0) throw new Error('no confirms');
    const cpu = process.cpuUsage(cpu0);
    return (cpu.user + cpu.system) / 1e6;
  }

  close(): void {
    this.backend.close();
  }
}

/**
 * In-process figures: every variant warmed up first (equal JIT state), then `rounds` rounds that run each
 * variant for `perRun` messages back to back. Returns per variant its deliveries per CPU second in each round.
 */
function inProcessRounds(subscribers: number, rounds: number, perRun: number): Record<string, number[]> {
  const rigs = VARIANTS.map((v) => new Rig(v, subscribers));
  const gc = collector();
  try {
    for (let w = 0; w < 3; w++) for (const rig of rigs) rig.run(perRun);
    const out: Record<string, number[]> = Object.fromEntries(VARIANTS.map((v) => [v.name, []]));
    for (let round = 0; round < rounds; round++) {
      // Rotate the order so no variant always runs right after the same one.
      for (let k = 0; k < rigs.length; k++) {
        const rig = rigs[(round + k) % rigs.length]!;
        rig.prepare(perRun);
        gc();
        out[rig.v.name]!.push((perRun * subscribers) / rig.run(perRun));
      }
    }
    return out;
  } finally {
    for (const rig of rigs) rig.close();
  }
}

const run = promisify(execFile);

/** Runs {@link inProcessRounds} in a fresh process (this file with `--child`), away from the ws client's code. */
async function inFreshProcess(subscribers: number, rounds: number): Promise<Record<string, number[]>> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', '--subscribers', String(subscribers), '--rounds', String(rounds)], {
    cwd: fileURLToPath(new URL('../../..', import.meta.url)),
    timeout: 300_000,
  });
  return JSON.parse(stdout) as Record<string, number[]>;
}

/** Median over rounds of the per-round cost of a feature: 1 - throughput with it / throughput without it. */
function pairedCost(withIt: number[], without: number[]): number {
  return median(withIt.map((w, i) => 1 - w / without[i]!));
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

interface Figures {
  inProcessPerS: number[];
  wsDeliveredPerS: number[];
  wsCpuUsPerDelivery: number[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string' },
      seconds: { type: 'string' },
      publishers: { type: 'string' },
      subscribers: { type: 'string' },
      'skip-ws': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
      child: { type: 'boolean' },
    },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  if (values.child) {
    return void process.stdout.write(`${JSON.stringify(inProcessRounds(Number(values.subscribers ?? 2), Number(values.rounds ?? 30), IN_PROCESS_RUN))}\n`);
  }
  const rounds = Number(values.rounds ?? 3);
  const seconds = Number(values.seconds ?? 3);
  const publishers = Number(values.publishers ?? 4);
  const subscribers = Number(values.subscribers ?? 2);
  if (![rounds, seconds, publishers, subscribers].every((x) => Number.isInteger(x) && x >= 1 && x <= 100)) {
    throw new Error(`bad arguments\n${USAGE}`);
  }
  const figures = new Map<string, Figures>(VARIANTS.map((v) => [v.name, { inProcessPerS: [], wsDeliveredPerS: [], wsCpuUsPerDelivery: [] }]));
  const inProcess = await inFreshProcess(subscribers, IN_PROCESS_ROUNDS);
  for (const v of VARIANTS) figures.get(v.name)!.inProcessPerS.push(...inProcess[v.name]!);
  if (!values['skip-ws']) {
    const broker = await startBroker();
    try {
      for (let round = 0; round < rounds; round++) {
        for (const v of VARIANTS) {
          const r = await runLoad({ wsUrl: broker.wsUrl, baseUrl: broker.baseUrl, publishers, subscribers, ack: v.ack, ackBatch: v.ackBatch, cid: v.cid, seconds });
          const f = figures.get(v.name)!;
          f.wsDeliveredPerS.push(r.deliveredPerS);
          f.wsCpuUsPerDelivery.push(r.brokerCpuUsPerDelivery);
        }
      }
    } finally {
      await broker.stop();
    }
  }
  const summary = Object.fromEntries(
    [...figures].map(([name, f]) => [
      name,
      {
        inProcessPerS: median(f.inProcessPerS),
        wsDeliveredPerS: f.wsDeliveredPerS.length ? median(f.wsDeliveredPerS) : null,
        wsCpuUsPerDelivery: f.wsCpuUsPerDelivery.length ? median(f.wsCpuUsPerDelivery) : null,
      },
    ]),
  );
  const f = (name: Variant['name']): Figures => figures.get(name)!;
  /** Capacity lost, from CPU per delivery in the same round: 1 - cpu(without) / cpu(with). */
  const pairedCpuCost = (withIt: number[], without: number[]): number | null =>
    withIt.length === 0 ? null : median(withIt.map((w, i) => 1 - without[i]! / w));
  const wsCost = (withIt: number[], without: number[]): number | null => (withIt.length === 0 ? null : pairedCost(withIt, without));
  const impactOf = (withIt: Variant['name'], without: Variant['name'], requirement: string) => ({
    inProcess: pairedCost(f(withIt).inProcessPerS, f(without).inProcessPerS),
    wsThroughput: wsCost(f(withIt).wsDeliveredPerS, f(without).wsDeliveredPerS),
    wsBrokerCapacity: pairedCpuCost(f(withIt).wsCpuUsPerDelivery, f(without).wsCpuUsPerDelivery),
    requirement,
  });
  const impact = {
    correlationIds: impactOf('ack+cid', 'ack, no cid', '< 2%'),
    acks: impactOf('ack+cid', 'no-ack+cid', '< 10%'),
    /** For comparison: acks sent one frame per delivery. */
    acksOneFrameEach: impactOf('ack each+cid', 'no-ack+cid', '(reference)'),
  };
  if (values.json) return void process.stdout.write(`${JSON.stringify({ rounds, seconds, publishers, subscribers, figures: Object.fromEntries(figures), summary, impact }, null, 2)}\n`);
  const pct = (x: number | null): string => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
  process.stdout.write(`in-process: median of ${IN_PROCESS_ROUNDS} alternating rounds (costs: median of per-round ratios); ws: median of ${rounds} interleaved rounds, ${publishers} publishers x ${seconds} s; ${subscribers} subscribers\n`);
  process.stdout.write('variant        in-process deliveries/CPU-s   ws delivered/s   ws broker CPU µs/delivery\n');
  for (const [name, s] of Object.entries(summary)) {
    process.stdout.write(
      `${name.padEnd(13)}  ${Math.round(s.inProcessPerS).toLocaleString('en').padStart(22)}   ${s.wsDeliveredPerS === null ? '-'.padStart(14) : Math.round(s.wsDeliveredPerS).toLocaleString('en').padStart(14)}   ${s.wsCpuUsPerDelivery === null ? '-' : s.wsCpuUsPerDelivery.toFixed(2)}\n`,
    );
  }
  for (const [feature, i] of Object.entries(impact)) {
    process.stdout.write(`${feature}: throughput cost in-process ${pct(i.inProcess)}, over ws ${pct(i.wsThroughput)}, broker capacity over ws ${pct(i.wsBrokerCapacity)} (requirement ${i.requirement})\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`feature-impact: ${(err as Error).message}\n`);
  process.exit(1);
});
