/**
 * SSE churn: streams open at a constant arrival rate (default 20/s), read a few events of a shared topic, close,
 * and the next stream of the same VU resumes with Last-Event-ID. Measures reconnect-to-first-event time and gaps
 * (must be 0).
 * Env: TARGET_URL, SSE_CHURN_RATE (opens/s), SSE_CHURN_EVENTS (events per stream), SSE_RATE, SSE_SIZE, SSE_TOPIC,
 * TIDEMARK_DURATION (15s), SSE_LATENCY_P95_MS, SSE_RECONNECT_AVG_MS.
 */
import { sseChurn } from '../lib/sse-churn.ts';

const churn = sseChurn({ profile: 'churn', durationS: 15, opensPerS: 20 });

export const options = churn.options;
export default churn.iteration;
export const handleSummary = churn.handleSummary;
