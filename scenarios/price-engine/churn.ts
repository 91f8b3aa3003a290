/**
 * Price engine churn: subscribers open quote streams at a constant rate (default 20/s), read a few quotes
 * (default 5) of a few symbols, and close, while ticks flow at a steady rate (default 1,000/s). Checks
 * connect and first-quote times, end-to-end latency, and that the engine is back to 0 streams at the end.
 * Env: TARGET_URL, PE_CHURN_RATE (opens/s), PE_CHURN_QUOTES (quotes per stream), PE_SUB_SYMBOLS (default 5),
 * PE_RATE, PE_BATCH, PE_SYMBOLS, PE_TRANSPORT (ws|http), PE_PUBLISHERS (ws), TIDEMARK_DURATION,
 * PE_E2E_P95_MS, PE_ENGINE_P95_MS, PE_FIRST_QUOTE_P95_MS.
 */
import { priceChurn } from '../lib/price-churn.ts';

const churn = priceChurn({ profile: 'churn', durationS: 15, opensPerS: 20 });

export const options = churn.options;
export const setup = churn.setup;
export const publish = churn.publish;
export const publishWs = churn.publishWs;
export const subscribe = churn.subscribe;
export const teardown = churn.teardown;
export const handleSummary = churn.handleSummary;
