/** Tick batches for the price engine: a random walk per symbol, sent as HTTP POSTs or WebSocket messages. */
import http from 'k6/http';
import exec from 'k6/execution';
import { WebSocket } from 'k6/websockets';
import { setInterval, clearInterval, setTimeout } from 'k6/timers';
import { symbolName, type PriceConfig } from './price-config.ts';
import type { TickPlan } from './price-plan.ts';
import { logError } from './price-log.ts';
import * as m from './price-metrics.ts';

/**
 * Ticks are built by joining preformatted strings: goja (k6's JavaScript engine) takes about five
 * times longer to build objects and JSON.stringify them, which at 10,000 ticks/s would cost the
 * load generator a large share of a core it shares with the target. Each symbol gets
 * {@link VARIANTS} preformatted ticks from a random walk (prices move, spreads and sizes vary)
 * that are cycled through; only the client time is added per batch.
 */
const VARIANTS = 16;

/** This VU's preformatted tick prefixes, per symbol: `{"symbol":"PE.3","bid":..,"ask":..,"size":..,"time":`. */
const prefixes: string[][] = [];
/** Next variant per symbol. */
const nextVariant: number[] = [];
/** Next symbol this VU sends; VUs start at different symbols so the spread over symbols stays even. */
let cursor = -1;

function symbolPrefixes(i: number): string[] {
  let list = prefixes[i];
  if (list !== undefined) return list;
  list = [];
  let mid = 100 + i;
  for (let v = 0; v < VARIANTS; v++) {
    mid = Math.max(1, mid + (Math.random() - 0.5) * 0.02);
    const half = 0.005 + Math.random() * 0.01;
    list.push(`{"symbol":"${symbolName(i)}","bid":${(mid - half).toFixed(4)},"ask":${(mid + half).toFixed(4)},"size":${1 + (v % 10)},"time":`);
  }
  prefixes[i] = list;
  nextVariant[i] = 0;
  return list;
}

/** The JSON array text of `n` ticks, stamped with the client time now (ms since the epoch). */
export function makeTicksJson(cfg: PriceConfig, n: number): string {
  if (cursor < 0) cursor = (exec.vu.idInTest * 7) % cfg.symbols;
  const tail = `${Date.now()}}`;
  const ticks: string[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const i = cursor;
    cursor = (cursor + 1) % cfg.symbols;
    const list = symbolPrefixes(i);
    const v = nextVariant[i]!;
    nextVariant[i] = (v + 1) % VARIANTS;
    ticks[k] = list[v] + tail;
  }
  return `[${ticks.join(',')}]`;
}

/** Refusals this VU has logged. */
let logged = 0;

interface Reply {
  id?: number;
  accepted?: number;
  rejected?: number;
  batchError?: { error: string };
  errors?: Array<{ error: string }>;
}

/** Counts one engine reply (HTTP body or WebSocket ack) for a batch of `n` ticks. */
function countReply(ok: boolean, reply: Reply | null, n: number, tags: Record<string, string>): void {
  const accepted = reply?.accepted ?? 0;
  const rejected = reply === null ? n : (reply.rejected ?? 0) + (reply.batchError ? n : 0);
  m.ticksAccepted.add(accepted, tags);
  m.ticksRejected.add(rejected, tags);
  const failed = !ok || rejected > 0;
  m.errors.add(failed, tags);
  if (failed && logged < 3) {
    // The first few per VU are enough to see why; more would flood the log.
    logged++;
    logError(`tick batch refused: ${reply?.batchError?.error ?? reply?.errors?.[0]?.error ?? 'no readable reply'}`);
  }
}

function parseReply(text: string | null | undefined): Reply | null {
  if (typeof text !== 'string') return null;
  try {
    return JSON.parse(text) as Reply;
  } catch {
    return null;
  }
}

/** Sends one batch of `cfg.batch` ticks with `POST /ticks` and records the outcome. Blocks the iteration. */
export function postBatch(cfg: PriceConfig, tags: Record<string, string> = {}): void {
  const n = cfg.batch;
  m.ticksExpected.add(n, tags);
  const res = http.post(`${cfg.baseUrl}/ticks`, makeTicksJson(cfg, n), {
    headers: { 'content-type': 'application/json' },
    tags: { ...tags, name: 'POST /ticks' },
    responseType: 'text',
  });
  countReply(res.status === 200, parseReply(res.body as string | null), n, tags);
}

/**
 * Holds one WebSocket for the plan's duration and sends the plan's ticks over it in batches of
 * `cfg.batch`, each with an `id` so the engine acks it. A late timer sends what is due, so the
 * rate holds on average; ticks still unsent at the end count as asked and not accepted (an honest
 * shortfall). Returns at once; the VU's event loop runs the session.
 * @param tags per-batch tags, evaluated when a batch is sent (e.g. the burst phase); default none
 */
export function publishOverWs(cfg: PriceConfig, plan: TickPlan, tags: () => Record<string, string> = () => ({})): void {
  const url = `${cfg.baseUrl.replace(/^http/, 'ws')}/ticks`;
  const ws = new WebSocket(url);
  let started = 0;
  let sent = 0;
  let nextId = 1;
  /** Ticks per batch id still waiting for its ack. */
  const pending = new Map<number, number>();
  let pump: ReturnType<typeof setInterval> | undefined;
  const total = Math.floor(plan.dueBy(plan.durationS));

  const sendDue = (final: boolean): void => {
    const due = final ? total : Math.min(total, Math.floor(plan.dueBy((Date.now() - started) / 1000)));
    while (due - sent >= cfg.batch || (final && due > sent)) {
      const n = Math.min(cfg.batch, due - sent);
      pending.set(nextId, n);
      ws.send(`{"id":${nextId++},"ticks":${makeTicksJson(cfg, n)}}`);
      m.ticksExpected.add(n, tags());
      sent += n;
    }
  };

  ws.onopen = () => {
    started = Date.now();
    pump = setInterval(() => sendDue(false), 5);
    setTimeout(() => {
      if (pump !== undefined) clearInterval(pump);
      sendDue(true);
      // Wait for the last acks (bounded), then close.
      const deadline = Date.now() + 3000;
      const waitAcks = setInterval(() => {
        if (pending.size === 0 || Date.now() > deadline) {
          clearInterval(waitAcks);
          // Batches never acked were not confirmed: count them as failed, not silently as fine.
          for (const n of pending.values()) countReply(false, null, n, tags());
          ws.close();
        }
      }, 10);
    }, plan.durationS * 1000);
  };
  ws.onmessage = (event) => {
    const reply = parseReply(event?.data as string | undefined);
    const n = reply?.id === undefined ? 0 : pending.get(reply.id) ?? 0;
    if (reply?.id !== undefined) pending.delete(reply.id);
    countReply(reply !== null, reply, n, tags());
  };
  ws.onerror = (event) => {
    m.errors.add(true, tags());
    logError(`tick WebSocket error: ${String((event as { error?: string } | undefined)?.error ?? 'unknown')}`);
  };
}
