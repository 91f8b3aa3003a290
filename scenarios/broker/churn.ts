/**
 * Broker churn: each topic's subscribers hold durable subscriptions and reconnect every ~BROKER_CHURN_HOLD_MS
 * (0.5x..1.5x) while publishing continues; each reconnect resumes the subscription and must receive what was
 * published or left unacked meanwhile. Lost must be 0; duplicates (unacked deliveries redelivered after a
 * resume) are expected under at-least-once and reported. Always in ack mode.
 * Env: as broker/sustained (BROKER_ACK ignored), plus BROKER_CHURN_HOLD_MS (default 500), BROKER_RESUME_P95_MS (default 200).
 */
import { brokerChurn } from '../lib/broker-churn-scenario.ts';

const churn = brokerChurn({ profile: 'churn', durationS: 15, rate: 100 });

export const options = churn.options;
export default churn.iteration;
export const handleSummary = churn.handleSummary;
