/**
 * Benchmark (not a test): RSS of the SSE target holding N streams, the events/s they receive and the
 * delivery latency (receive time minus the server's send stamp) measured in this client. Starts the bundled target on a free port,
 * opens N streams from this process (cheaper than k6 for holding many idle-ish connections), reads RSS from
 * /stats before and while they are held, then stops everything.
 *   npx tsx scripts/bench/sse-fanout.ts [--connections 1000] [--query rate=10] [--hold-s 5]
 * The client shares the machine with the target, so its latency includes its own parsing under load.
 */
import http from 'node:http';
import { createParser } from 'eventsource-parser';
import { parseArgs } from 'node:util';
import { spawnTracked, stopChild, handleSignals } from '../lib/children.ts';
import { freePort } from '../lib/free-port.ts';
import { repoRoot } from '../lib/repo.ts';
import { bundleTarget } from '../lib/target-bundle.ts';
import { targetEntry } from '../lib/target-registry.ts';
import { fetchStats, waitHealthy } from '../lib/target-stats.ts';

const { values } = parseArgs({ options: { connections: { type: 'string' }, query: { type: 'string' }, 'hold-s': { type: 'string' } } });
const n = Number(values.connections ?? 1000);
const query = values.query ?? 'rate=10';
const holdMs = Number(values['hold-s'] ?? 5) * 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentiles(values: number[]): Record<string, number> {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => +(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN).toFixed(3);
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

handleSignals();
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const target = spawnTracked(process.execPath, [await bundleTarget(targetEntry('sse'), repoRoot, 'sse'), '--port', String(port)], {
  stdio: 'ignore',
  env: { ...process.env, TIDEMARK_SSE_MAX_CONNECTIONS: String(Math.max(10000, n)) },
});
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
const requests: http.ClientRequest[] = [];
try {
  const healthyMs = await waitHealthy(base);
  await sleep(500);
  const before = await fetchStats(base);
  let events = 0;
  let measuring = false;
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: n }, () =>
      new Promise<void>((resolve, reject) => {
        const req = http.get(`${base}/events?${query}`, { agent }, (res) => {
          if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
          res.once('data', () => resolve());
          const parser = createParser({
            onEvent: (event) => {
              if (event.event !== 'tick') return;
              events += 1;
              if (measuring) latencies.push(performance.timeOrigin + performance.now() - (JSON.parse(event.data) as { t: number }).t);
            },
          });
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => parser.feed(chunk));
        });
        req.on('error', reject);
        requests.push(req);
      }),
    ),
  );
  await sleep(1000);
  const eventsAtStart = events;
  const started = Date.now();
  measuring = true;
  await sleep(holdMs);
  measuring = false;
  const rss: number[] = [];
  for (let i = 0; i < 3; i++) {
    rss.push((await fetchStats(base))?.rssBytes ?? 0);
    await sleep(300);
  }
  const held = rss.sort((a, b) => a - b)[1] ?? 0;
  const beforeRss = before?.rssBytes ?? 0;
  const perS = ((events - eventsAtStart) * 1000) / (Date.now() - started);
  console.log(JSON.stringify({
    connections: n,
    query,
    spawnToHealthyMs: healthyMs,
    rssBeforeMB: +(beforeRss / 2 ** 20).toFixed(1),
    rssHeldMB: +(held / 2 ** 20).toFixed(1),
    perConnectionKB: +((held - beforeRss) / 1024 / n).toFixed(1),
    eventsPerSecondReceived: Math.round(perS),
    latencyMs: percentiles(latencies),
  }));
} finally {
  for (const r of requests) r.destroy();
  await stopChild(target);
}
