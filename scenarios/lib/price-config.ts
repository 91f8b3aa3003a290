/** Price-engine scenario settings from the environment, with defaults sized for a 2-core machine shared with the target. */
import { envDurationS, envNumber, envString, targetUrl } from './env.ts';

/** End-to-end samples of the warm-up are dropped, and the engine's window starts after it (scenarios/lib/warmup.ts). */
export { WARMUP_MS } from './warmup.ts';

export interface PriceConfig {
  /** Target base URL (`TARGET_URL`, default http://127.0.0.1:8084). */
  baseUrl: string;
  /** Ticks per second sent in steady state (`PE_RATE`; default per profile: sustained 10000, burst 1000, churn 1000). */
  rate: number;
  /** Ticks per HTTP POST; most ticks per WebSocket message, which carries what is due every 5 ms (`PE_BATCH`, default 50). */
  batch: number;
  /** Symbols the ticks are spread over, `PE.0`..`PE.<n-1>` (`PE_SYMBOLS`, default 100). */
  symbols: number;
  /** How ticks are sent: `http` (POST batches, k6 arrival-rate executors) or `ws` (WebSocket messages) (`PE_TRANSPORT`, default ws). */
  transport: 'http' | 'ws';
  /** WebSocket sessions sending ticks when the transport is ws (`PE_PUBLISHERS`, default 2). */
  publishers: number;
  /** Quote subscribers held for the whole run (`PE_SUBSCRIBERS`, default 5). */
  subscribers: number;
  /** Symbols each subscriber follows (`PE_SUB_SYMBOLS`, default 1; 0 = every symbol). */
  subSymbols: number;
  /** Load-phase length (`TIDEMARK_DURATION`; default per profile). */
  durationS: number;
  /** p95 budget of end-to-end tick-to-quote latency, ms (`PE_E2E_P95_MS`, default 50). */
  e2eP95Ms: number;
  /** p95 budget of engine-internal latency, ms (`PE_ENGINE_P95_MS`, default 1: the requirement). */
  engineP95Ms: number;
}

export function priceConfig(defaults: Partial<Omit<PriceConfig, 'baseUrl'>> = {}): PriceConfig {
  const transport = envString('PE_TRANSPORT', defaults.transport ?? 'ws');
  if (transport !== 'http' && transport !== 'ws') throw new Error(`PE_TRANSPORT=${transport} is invalid: use http or ws`);
  return {
    baseUrl: targetUrl('http://127.0.0.1:8084'),
    rate: envNumber('PE_RATE', defaults.rate ?? 10_000, { min: 1, max: 1_000_000, integer: true }),
    batch: envNumber('PE_BATCH', defaults.batch ?? 50, { min: 1, max: 1000, integer: true }),
    symbols: envNumber('PE_SYMBOLS', defaults.symbols ?? 100, { min: 1, max: 10_000, integer: true }),
    transport,
    publishers: envNumber('PE_PUBLISHERS', defaults.publishers ?? 2, { min: 1, max: 1000, integer: true }),
    subscribers: envNumber('PE_SUBSCRIBERS', defaults.subscribers ?? 5, { min: 0, max: 10_000, integer: true }),
    subSymbols: envNumber('PE_SUB_SYMBOLS', defaults.subSymbols ?? 1, { min: 0, max: 100, integer: true }),
    durationS: envDurationS('TIDEMARK_DURATION', `${defaults.durationS ?? 15}s`),
    e2eP95Ms: envNumber('PE_E2E_P95_MS', defaults.e2eP95Ms ?? 50, { min: 0 }),
    engineP95Ms: envNumber('PE_ENGINE_P95_MS', defaults.engineP95Ms ?? 1, { min: 0 }),
  };
}

/** Symbol number `i`: `PE.<i>`. */
export function symbolName(i: number): string {
  return `PE.${i}`;
}

/** The symbols subscriber `index` follows: `subSymbols` consecutive ones (wrapping), or null for every symbol. */
export function subscriberSymbols(cfg: PriceConfig, index: number): string[] | null {
  if (cfg.subSymbols === 0) return null;
  const n = Math.min(cfg.subSymbols, cfg.symbols);
  return Array.from({ length: n }, (_, k) => symbolName((index * n + k) % cfg.symbols));
}

/** `GET /quotes` URL for a symbol list (null = every symbol). */
export function quotesUrl(base: string, symbols: string[] | null): string {
  return symbols === null ? `${base}/quotes` : `${base}/quotes?symbols=${symbols.map(encodeURIComponent).join(',')}`;
}

/** Thresholds every price-engine scenario shares: engine p95, end-to-end p95, no errors, no lost quotes. */
export function priceThresholds(cfg: PriceConfig): Record<string, string[]> {
  return {
    pe_engine_p95_ms: [`value<${cfg.engineP95Ms}`],
    pe_tick_to_quote: [`p(95)<${cfg.e2eP95Ms}`],
    tidemark_errors: ['rate==0'],
    pe_ticks_rejected: ['count==0'],
    pe_quote_gaps: ['count==0'],
  };
}

// The tick scenario and its sizing live with no __ENV reads, so Node tests can build them.
export { batchArrival, publisherVus, tickScenario } from './price-ticks-scenario.ts';
