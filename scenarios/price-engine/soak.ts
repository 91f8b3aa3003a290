/**
 * Price engine soak: the churn shape held for 10 minutes (1,000 ticks/s, 10 quote streams opened and closed
 * a second, about 6,000 in all), so that memory kept per subscriber or per tick shows as a rising target RSS.
 * The gate holds it to the RSS slope limit (docs/RELIABILITY.md); `npm run gate -- --only price-engine/soak`.
 * Env: as price-engine/churn; TIDEMARK_DURATION (default 10m) bounds it.
 */
import { priceChurn } from '../lib/price-churn.ts';

const soak = priceChurn({ profile: 'soak', durationS: 600, opensPerS: 10 });

export const options = soak.options;
export const setup = soak.setup;
export const publish = soak.publish;
export const publishWs = soak.publishWs;
export const subscribe = soak.subscribe;
export const teardown = soak.teardown;
export const handleSummary = soak.handleSummary;
