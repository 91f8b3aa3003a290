/** Reads one quote stream (`GET /quotes`) and records end-to-end latency, gaps and errors. */
import sse from 'k6/x/sse';
import type { SseEvent } from 'k6/x/sse';
import exec from 'k6/execution';
import { AUTH_HEADERS } from './auth.ts';
import { WARMUP_MS } from './price-config.ts';
import { logError } from './price-log.ts';
import * as m from './price-metrics.ts';
import { receivedAt } from './sse-received-at.ts';
import { verdict } from './verdict.ts';

export interface QuoteStreamOptions {
  /** Full `/quotes` URL. */
  url: string;
  /** Longest the stream is held, ms (it ends then even without quotes). */
  holdMs: number;
  /** Close after this many quotes (default: no limit). */
  maxQuotes?: number;
  /** Extra tags for every sample (default none). */
  tags?: Record<string, string>;
  /**
   * Tag function evaluated per quote, e.g. the burst phase (default none). Return the same object for the same
   * tags: the merged tags are rebuilt only when it changes.
   */
  dynamicTags?: () => Record<string, string>;
}

export interface QuoteStreamOutcome {
  ok: boolean;
  status: number;
  quotes: number;
  gaps: number;
}

interface QuoteData {
  symbol: string;
  seq: number;
  /** Tick client time, ms since the epoch. */
  t: number;
  /** Engine emit time, ms since the epoch (µs precision). */
  e: number;
}

/** Opens a quote stream, reads until `holdMs` or `maxQuotes`, and returns what happened. Blocks the iteration. */
export function readQuotes(opts: QuoteStreamOptions): QuoteStreamOutcome {
  const tags = opts.tags ?? {};
  const lastSeq = new Map<string, number>();
  const started = Date.now();
  let quotes = 0;
  let gaps = 0;
  let malformed = false;
  let first = true;
  // Per stream, not per quote: k6 builds `exec.scenario` anew on every access.
  const latencyFrom = exec.scenario.startTime + WARMUP_MS;
  let lastDynamic: Record<string, string> | null = null;
  let sampleTags = tags;

  const res = sse.open(opts.url, { method: 'GET', headers: AUTH_HEADERS, tags, timeout: opts.holdMs }, (client) => {
    client.on('open', () => m.connectTime.add(Date.now() - started, tags));
    client.on('event', (event: SseEvent) => {
      if (event.name !== 'quote') return;
      let q: QuoteData;
      try {
        q = JSON.parse(event.data) as QuoteData;
      } catch {
        malformed = true;
        client.close();
        return;
      }
      const now = receivedAt(event);
      if (opts.dynamicTags) {
        const dynamic = opts.dynamicTags();
        if (dynamic !== lastDynamic) {
          lastDynamic = dynamic;
          sampleTags = { ...tags, ...dynamic };
        }
      }
      if (first) {
        first = false;
        m.firstQuote.add(now - started, sampleTags);
      }
      const prev = lastSeq.get(q.symbol);
      if (prev !== undefined && q.seq > prev + 1) gaps += q.seq - prev - 1;
      lastSeq.set(q.symbol, q.seq);
      quotes++;
      // Latency samples of the warm-up are left out (see WARMUP_MS); the quotes still count for gaps.
      if (now >= latencyFrom) {
        m.tickToQuote.add(now - q.t, sampleTags);
        m.quoteDelivery.add(now - q.e, sampleTags);
      }
      if (opts.maxQuotes !== undefined && quotes >= opts.maxQuotes) client.close();
    });
    client.on('error', () => {
      malformed = true;
    });
  });
  // Counted once per stream (a sample per quote would cost the load generator CPU); added even when 0
  // so the metric (and its threshold) always exists in the summary.
  m.quotesReceived.add(quotes, tags);
  m.quoteGaps.add(gaps, tags);
  const ok = res.status === 200 && !malformed;
  verdict(m.errors, 'quote stream opened (200) and well-formed', ok, tags);
  if (!ok) logError(`quote stream ${opts.url} failed: status ${res.status} ${res.error}`);
  return { ok, status: res.status, quotes, gaps };
}
