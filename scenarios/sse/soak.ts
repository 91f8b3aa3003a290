/**
 * SSE soak: the churn shape held for 10 minutes at a gentle 10 opens/s (about 6,000 streams opened, resumed
 * and closed), each resumed stream reading what it missed before its live events, so that memory kept per
 * stream shows as a rising target RSS. The gate holds it to the RSS slope
 * limit (docs/RELIABILITY.md); `npm run gate -- --only sse/soak`.
 * Env: as sse/churn; TIDEMARK_DURATION (default 10m) bounds it.
 */
import { sseChurn } from '../lib/sse-churn.ts';

const soak = sseChurn({ profile: 'soak', durationS: 600, opensPerS: 10, catchUp: true });

export const options = soak.options;
export default soak.iteration;
export const handleSummary = soak.handleSummary;
