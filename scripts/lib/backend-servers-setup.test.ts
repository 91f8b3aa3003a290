import { describe, expect, it } from 'vitest';
import { ensureBackendServers } from './backend-servers-setup.ts';
import { installCommand } from './debian-step.ts';
import { fakeSetupTools } from './debian-step-testing.ts';

/** Fake setup tools, plus whether RabbitMQ's start script exists (an install adds it and mosquitto). */
function tools(over: { onPath?: string[]; rabbitmq?: boolean; isRoot?: boolean }) {
  let rabbitmq = over.rabbitmq ?? false;
  const fake = fakeSetupTools({ ...over, installed: ['mosquitto'], onInstall: () => (rabbitmq = true) });
  return { ...fake, hasRabbitmq: () => rabbitmq };
}

describe('setup: the broker backends\' RabbitMQ and Mosquitto', () => {
  it('does nothing when both are there', async () => {
    const t = tools({ onPath: ['apt-get', 'mosquitto'], rabbitmq: true, isRoot: true });
    expect(await ensureBackendServers(t)).toBe(true);
    expect(t.ran).toEqual([]);
    expect(t.lines).toEqual(['broker backends: found RabbitMQ and Mosquitto (start them with npm run backend -- start all)']);
  });

  it('installs Debian\'s packages as root', async () => {
    const t = tools({ onPath: ['apt-get'], isRoot: true });
    expect(await ensureBackendServers(t)).toBe(true);
    expect(t.ran).toEqual(['apt-get update', 'apt-get install -y --no-install-recommends rabbitmq-server mosquitto']);
    expect(t.lines.at(-1)).toContain('installed RabbitMQ and Mosquitto');
  });

  it('prints the command when not root, names what is missing and says what works without it', async () => {
    const t = tools({ onPath: ['apt-get', 'mosquitto'] });
    expect(await ensureBackendServers(t)).toBe(false);
    expect(t.ran).toEqual([]);
    expect(t.lines[0]).toBe('broker backends: RabbitMQ missing. Install with:');
    expect(t.lines[1]).toBe(`  ${installCommand(['rabbitmq-server', 'mosquitto'])}`);
    expect(t.lines[2]).toContain('--backend rabbitmq|mqtt');
  });
});
