/** Tick batches for the price engine: a random walk per symbol, sent as HTTP POSTs or WebSocket messages. */
import http from 'k6/http';
import exec from 'k6/execution';
import { WebSocket } from 'k6/websockets';
import { clearInterval, clearTimeout, setInterval, setTimeout } from 'k6/timers';
import { withAuth, wsAuthParams } from './auth.ts';
import { symbolName, type PriceConfig } from './price-config.ts';
import type { TickPlan } from './price-plan.ts';
import { logError } from './price-log.ts';
import * as m from './price-metrics.ts';
import { verdict } from './verdict.ts';

/**
 * Ticks are built by joining preformatted strings: goja (k6's JavaScript engine) takes about five
 * times longer to build objects and JSON.stringify them, which at 10,000 ticks/s would cost the
 * load generator a large share of a core it shares with the target. Each symbol gets
 * {@link VARIANTS} preformatted ticks from a random walk (prices move, spreads and sizes vary)
 * that are cycled through. The client time is stamped once per batch, in the envelope's `time`.
 */
const VARIANTS = 16;

/** This VU's preformatted ticks, per symbol: `{"symbol":"PE.3","bid":..,"ask":..,"size":..}`. */
const variants: string[][] = [];
/** Next variant per symbol. */
const nextVariant: number[] = [];
/** Next symbol this VU sends; VUs start at different symbols so the spread over symbols stays even. */
let cursor = -1;

function symbolVariants(i: number): string[] {
  let list = variants[i];
  if (list !== undefined) return list;
  list = [];
  let mid = 100 + i;
  for (let v = 0; v < VARIANTS; v++) {
    mid = Math.max(1, mid + (Math.random() - 0.5) * 0.02);
    const half = 0.005 + Math.random() * 0.01;
    list.push(`{"symbol":"${symbolName(i)}","bid":${(mid - half).toFixed(4)},"ask":${(mid + half).toFixed(4)},"size":${1 + (v % 10)}}`);
  }
  variants[i] = list;
  nextVariant[i] = 0;
  return list;
}

/**
 * The JSON text of a batch envelope of `n` ticks, `{"id":..,"time":<now>,"ticks":[...]}`, stamped with
 * the client time now (ms since the epoch): the engine gives it to every tick of the batch.
 * @param id echoed in the engine's reply; default none
 */
export function makeBatchJson(cfg: PriceConfig, n: number, id?: number): string {
  if (cursor < 0) cursor = (exec.vu.idInTest * 7) % cfg.symbols;
  const ticks: string[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const i = cursor;
    cursor = (cursor + 1) % cfg.symbols;
    const list = symbolVariants(i);
    const v = nextVariant[i]!;
    nextVariant[i] = (v + 1) % VARIANTS;
    ticks[k] = list[v]!;
  }
  return `{${id === undefined ? '' : `"id":${id},`}"time":${Date.now()},"ticks":[${ticks.join(',')}]}`;
}

/** Headers of every `POST /ticks`, built once (auth included when set). */
const POST_HEADERS = withAuth({ 'content-type': 'application/json' });

/** How often a WebSocket publisher sends what is due, ms. */
const PUMP_MS = 5;

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
  verdict(m.errors, 'tick batch accepted', !failed, tags);
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
  const res = http.post(`${cfg.baseUrl}/ticks`, makeBatchJson(cfg, n), {
    headers: POST_HEADERS,
    tags: { ...tags, name: 'POST /ticks' },
    responseType: 'text',
  });
  countReply(res.status === 200, parseReply(res.body as string | null), n, tags);
}

/**
 * Holds one WebSocket for the plan's duration and sends the plan's ticks over it every
 * {@link PUMP_MS}, in messages of at most `cfg.batch` ticks, each with an `id` so the engine acks it. A late timer sends what is due, so the
 * rate holds on average; ticks still unsent at the end count as asked and not accepted (an honest
 * shortfall). Returns at once; the VU's event loop runs the session.
 * @param tags per-batch tags, evaluated when a batch is sent (e.g. the burst phase); default none
 */
export function publishOverWs(cfg: PriceConfig, plan: TickPlan, tags: () => Record<string, string> = () => ({})): void {
  const url = `${cfg.baseUrl.replace(/^http/, 'ws')}/ticks`;
  const ws = new WebSocket(url, null, wsAuthParams());
  let started = 0;
  let sent = 0;
  let nextId = 1;
  let finished = false;
  /** Ticks per batch id still waiting for its ack. */
  const pending = new Map<number, number>();
  let pump: ReturnType<typeof setInterval> | undefined;
  let endTimer: ReturnType<typeof setTimeout> | undefined;
  const total = Math.floor(plan.dueBy(plan.durationS));

  // Every wake-up sends what is due, in messages of at most `cfg.batch` ticks: at 1,000 ticks/s that is
  // about 5 ticks every 5 ms, at 10,000/s about 50. Ticks never wait in k6 for a batch to fill.
  const sendDue = (final: boolean): void => {
    const due = final ? total : Math.min(total, Math.floor(plan.dueBy((Date.now() - started) / 1000)));
    while (due > sent) {
      const n = Math.min(cfg.batch, due - sent);
      pending.set(nextId, n);
      ws.send(makeBatchJson(cfg, n, nextId++));
      m.ticksExpected.add(n, tags());
      sent += n;
    }
  };

  /**
   * Ends the session once: ticks never sent still count as asked, batches never acked count as failed,
   * so a session that broke shows as a shortfall and errors, never as a shorter clean run.
   */
  const finish = (): void => {
    if (finished) return;
    finished = true;
    if (pump !== undefined) clearInterval(pump);
    if (endTimer !== undefined) clearTimeout(endTimer);
    if (total > sent) m.ticksExpected.add(total - sent, tags());
    for (const n of pending.values()) countReply(false, null, n, tags());
    pending.clear();
    ws.close();
  };

  ws.onopen = () => {
    started = Date.now();
    pump = setInterval(() => sendDue(false), PUMP_MS);
    endTimer = setTimeout(() => {
      if (pump !== undefined) clearInterval(pump);
      sendDue(true);
      // Wait for the last acks (bounded), then close.
      const deadline = Date.now() + 3000;
      const waitAcks = setInterval(() => {
        if (pending.size === 0 || Date.now() > deadline || finished) {
          clearInterval(waitAcks);
          finish();
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
    verdict(m.errors, 'tick WebSocket without error', false, tags());
    logError(`tick WebSocket error: ${String((event as { error?: string } | undefined)?.error ?? 'unknown')}`);
  };
  ws.onclose = () => finish();
}
