/**
 * Not a gate scenario: the k6 half of the `/rpc` echo benchmark (targets/jsonrpc/bench/run-echo-bench.ts).
 * Closed model, the same script against two servers in one run, alternating steps so drift in
 * machine load hits both alike: bare Node echo, then /rpc, BENCH_ROUNDS times.
 * Env: BARE_URL, RPC_URL (full URLs), BENCH_VUS (32), BENCH_STEP_S (10), BENCH_ROUNDS (2), BENCH_SUMMARY_FILE.
 */
import http from 'k6/http';
import exec from 'k6/execution';
import { Counter, Rate, Trend } from 'k6/metrics';
import type { Options } from 'k6/options';
import { withAuth } from './auth.ts';
import { envNumber, envString } from './env.ts';

const bareUrl = envString('BARE_URL', 'http://127.0.0.1:9000/');
const rpcUrl = envString('RPC_URL', 'http://127.0.0.1:8082/rpc');
const vus = envNumber('BENCH_VUS', 32, { min: 1, max: 5000, integer: true });
const stepS = envNumber('BENCH_STEP_S', 10, { min: 1, max: 3600 });
const rounds = envNumber('BENCH_ROUNDS', 2, { min: 1, max: 20, integer: true });

const answered = new Counter('echo_answered');
const latency = new Trend('echo_latency', true);
const failed = new Rate('echo_failed');

const scenarios: NonNullable<Options['scenarios']> = {};
let start = 0;
for (let r = 1; r <= rounds; r++) {
  for (const server of ['bare', 'rpc']) {
    scenarios[`${server}_${r}`] = { executor: 'constant-vus', vus, duration: `${stepS}s`, startTime: `${start}s`, gracefulStop: '1s', tags: { server } };
    start += stepS + 1;
  }
}

export const options: Options = {
  scenarios,
  discardResponseBodies: false,
  thresholds: {
    'echo_answered{server:bare}': ['count>0'],
    'echo_answered{server:rpc}': ['count>0'],
    'echo_latency{server:bare}': ['p(95)>=0'],
    'echo_latency{server:rpc}': ['p(95)>=0'],
    echo_failed: ['rate<0.01'],
  },
  summaryTrendStats: ['avg', 'med', 'p(95)', 'p(99)', 'max', 'count'],
};

const params = { headers: withAuth({ 'content-type': 'application/json' }) };
let n = 0;

export default function (): void {
  const url = exec.scenario.name.startsWith('bare') ? bareUrl : rpcUrl;
  n++;
  const res = http.post(url, `{"jsonrpc":"2.0","method":"echo","params":{"message":"hello"},"id":${n}}`, params);
  const ok = res.status === 200 && typeof res.body === 'string' && res.body.includes('"result":{"message":"hello"}');
  failed.add(!ok);
  if (ok) {
    answered.add(1);
    latency.add(res.timings.duration);
  }
}

interface Summary {
  metrics: Record<string, { values: Record<string, number> }>;
}

export function handleSummary(data: Summary): Record<string, string> {
  const seconds = rounds * stepS;
  const rate = (server: string): number => (data.metrics[`echo_answered{server:${server}}`]?.values.count ?? 0) / seconds;
  const p95 = (server: string): number => data.metrics[`echo_latency{server:${server}}`]?.values['p(95)'] ?? NaN;
  const out = {
    vus,
    stepS,
    rounds,
    bare: { rate: rate('bare'), p95Ms: p95('bare') },
    rpc: { rate: rate('rpc'), p95Ms: p95('rpc') },
    ratio: rate('bare') > 0 ? rate('rpc') / rate('bare') : 0,
    failedShare: data.metrics.echo_failed?.values.rate ?? 0,
  };
  const text = `echo bench (${vus} VUs, ${rounds} x ${stepS}s per server)\n  bare: ${out.bare.rate.toFixed(0)}/s p95 ${out.bare.p95Ms.toFixed(2)} ms\n  /rpc: ${out.rpc.rate.toFixed(0)}/s p95 ${out.rpc.p95Ms.toFixed(2)} ms\n  ratio /rpc / bare: ${(out.ratio * 100).toFixed(1)}%\n`;
  const file = __ENV.BENCH_SUMMARY_FILE;
  return file ? { stdout: text, [file]: JSON.stringify(out) } : { stdout: text };
}
