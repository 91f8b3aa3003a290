/**
 * Broker soak: the churn shape held for 10 minutes at 100 messages/s per topic, subscribers reconnecting about
 * every 500 ms (a few thousand sessions resumed and closed), so that memory kept per session or message shows
 * as a rising target RSS. Lost must still be 0. The gate holds it to the RSS slope limit (docs/RELIABILITY.md);
 * `npm run gate -- --only broker/soak`.
 * Env: as broker/churn; TIDEMARK_DURATION (default 10m) bounds it.
 */
import { brokerChurn } from '../lib/broker-churn-scenario.ts';

const soak = brokerChurn({ profile: 'soak', durationS: 600, rate: 100 });

export const options = soak.options;
export default soak.iteration;
export const handleSummary = soak.handleSummary;
