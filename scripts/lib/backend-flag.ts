/** `--backend` of the CLIs: one broker backend, or a comma-separated list of them (a comparison). */
import { BROKER_BACKENDS, parseBackendName, type BrokerBackendName } from '../../targets/broker/backend-choice.ts';
import { UsageError } from './cli.ts';

/**
 * `memory,rabbitmq`: each name checked, none twice.
 * @throws UsageError naming the bad name and the valid ones
 */
export function parseBackendFlag(raw: string): BrokerBackendName[] {
  const names = raw.split(',').map((n) => n.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError(`--backend needs a name: ${BROKER_BACKENDS.join(', ')}`);
  const parsed = names.map((n) => {
    try {
      return parseBackendName(n, '--backend');
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  });
  if (new Set(parsed).size !== parsed.length) throw new UsageError(`--backend ${raw}: a backend is named twice`);
  return parsed;
}
