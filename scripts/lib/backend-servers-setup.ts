/**
 * `npm run setup`'s step for the broker's real backends: Debian's RabbitMQ and Mosquitto, which
 * `npm run backend -- start` runs on the project's own ports (targets/broker/backend-servers.ts).
 */
import { existsSync } from 'node:fs';
import { ensureDebianStep, type SetupTools } from './debian-step.ts';

export const BACKEND_PACKAGES = ['rabbitmq-server', 'mosquitto'] as const;
/** The script `npm run backend` starts RabbitMQ with (scripts/lib/rabbitmq-server.ts). */
const RABBITMQ_SCRIPT = '/usr/lib/rabbitmq/bin/rabbitmq-server';

/** Makes RabbitMQ and Mosquitto available; false when one is still missing (the way to install it was printed). */
export async function ensureBackendServers(tools: SetupTools & { hasRabbitmq?: () => boolean }): Promise<boolean> {
  const hasRabbitmq = tools.hasRabbitmq ?? (() => existsSync(RABBITMQ_SCRIPT));
  const found = hasRabbitmq() && tools.which('mosquitto') !== undefined;
  const ok = await ensureDebianStep(tools, {
    label: 'broker backends',
    packages: BACKEND_PACKAGES,
    missing: () => [hasRabbitmq() ? '' : 'RabbitMQ', tools.which('mosquitto') ? '' : 'Mosquitto'].filter(Boolean),
    without: 'everything but the broker\'s rabbitmq and mqtt backends (--backend rabbitmq|mqtt) works without them',
    elsewhere: 'Install RabbitMQ 3.x and Mosquitto 2.x (https://www.rabbitmq.com/docs/download, https://mosquitto.org/download/)',
    lookedIn: `${RABBITMQ_SCRIPT}; mosquitto on PATH ${process.env.PATH ?? ''}`,
  });
  if (ok) tools.log(`broker backends: ${found ? 'found' : 'installed'} RabbitMQ and Mosquitto (start them with npm run backend -- start all)`);
  return ok;
}
