/**
 * Over-WebSocket throughput ladder: the broker in its own process, 1, 2, 4, 8 and 16 concurrent publishers
 * on one topic with 2 acking subscribers; delivered messages/s, end-to-end p50/p99 and broker CPU per delivery.
 *
 *   npx tsx targets/broker/bench/ws-bench.ts [--publishers 1,2,4,8,16] [--subscribers 2] [--window 32] [--seconds 3] [--json]
 *
 * Publishers are closed loop (each keeps --window publishes unconfirmed), so this measures capacity, and
 * latency at saturation includes queueing. Client and broker share this machine's cores: the broker CPU
 * share column (1.0 = one core) tells whether the broker was the bottleneck.
 */
import { parseArgs } from 'node:util';
import { startBroker } from './broker-process.ts';
import { runLoad, type LoadResult } from './ws-load.ts';

const USAGE = `usage: npx tsx targets/broker/bench/ws-bench.ts [--publishers 1,2,4,8,16] [--subscribers 2] [--window 32] [--size 64] [--seconds 3] [--json]`;

function ints(raw: string, name: string): number[] {
  const xs = raw.split(',').map(Number);
  if (xs.some((x) => !Number.isInteger(x) || x < 1 || x > 1000)) throw new Error(`--${name} ${raw}: expected positive integers separated by commas`);
  return xs;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      publishers: { type: 'string' },
      subscribers: { type: 'string' },
      window: { type: 'string' },
      size: { type: 'string' },
      seconds: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const ladder = ints(values.publishers ?? '1,2,4,8,16', 'publishers');
  const [subscribers] = ints(values.subscribers ?? '2', 'subscribers');
  const [window] = ints(values.window ?? '32', 'window');
  const [size] = ints(values.size ?? '64', 'size');
  const [seconds] = ints(values.seconds ?? '3', 'seconds');
  const broker = await startBroker();
  const rows: (LoadResult & { publishers: number })[] = [];
  try {
    for (const publishers of ladder) {
      const r = await runLoad({ wsUrl: broker.wsUrl, baseUrl: broker.baseUrl, publishers, subscribers: subscribers!, window, size, seconds });
      rows.push({ publishers, ...r });
      if (!values.json) {
        process.stdout.write(
          `publishers ${String(publishers).padStart(2)}: ${Math.round(r.deliveredPerS).toLocaleString('en').padStart(8)} delivered/s  ` +
            `${Math.round(r.publishedPerS).toLocaleString('en').padStart(7)} published/s  e2e p50 ${r.e2eP50Ms.toFixed(2)} ms  p99 ${r.e2eP99Ms.toFixed(2)} ms  ` +
            `broker ${r.brokerCpuUsPerDelivery.toFixed(1)} µs CPU/delivery, ${r.brokerCpuShare.toFixed(2)} cores  errors ${r.errors}\n`,
        );
      }
    }
  } finally {
    await broker.stop();
  }
  if (values.json) process.stdout.write(`${JSON.stringify({ subscribers, window, size, seconds, rows }, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`ws-bench: ${(err as Error).message}\n`);
  process.exit(1);
});
