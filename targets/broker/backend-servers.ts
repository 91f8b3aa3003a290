/**
 * Where the broker target finds the real servers behind its rabbitmq and mqtt backends, and how
 * `npm run backend` starts them: one home for their ports and URLs. The ports are one above the servers'
 * usual ones (5672, 1883) so that a system-wide RabbitMQ or Mosquitto, which Debian's packages start on
 * install where systemd runs, does not collide with the project's own.
 */
import { readIntOptions } from '../common/env-options.ts';

/** The servers `npm run backend` manages, by the name users type. */
export const BACKEND_SERVERS = {
  rabbitmq: { defaultPort: 5673, portEnv: 'TIDEMARK_RABBITMQ_PORT', urlEnv: 'TIDEMARK_RABBITMQ_URL', scheme: 'amqp' },
  mosquitto: { defaultPort: 1884, portEnv: 'TIDEMARK_MOSQUITTO_PORT', urlEnv: 'TIDEMARK_MQTT_URL', scheme: 'mqtt' },
} as const;

export type BackendServerName = keyof typeof BACKEND_SERVERS;
export const BACKEND_SERVER_NAMES = Object.keys(BACKEND_SERVERS) as BackendServerName[];

/** The server's port on 127.0.0.1: its `TIDEMARK_*_PORT` variable, else the default. */
export function backendServerPort(name: BackendServerName, env: NodeJS.ProcessEnv = process.env): number {
  const s = BACKEND_SERVERS[name];
  return readIntOptions({ port: s.defaultPort }, { port: { name: s.portEnv, min: 1, max: 65535 } }, env).port;
}

/** The URL the broker target connects to: its `TIDEMARK_*_URL` variable (credentials go there), else loopback. */
export function backendServerUrl(name: BackendServerName, env: NodeJS.ProcessEnv = process.env): string {
  const s = BACKEND_SERVERS[name];
  return env[s.urlEnv] || `${s.scheme}://127.0.0.1:${backendServerPort(name, env)}`;
}

/** The command that starts a server, for error messages. */
export function startCommand(name: BackendServerName): string {
  return `npm run backend -- start ${name}`;
}

/** The URL as messages show it: a password in it (`TIDEMARK_*_URL` may carry credentials) is masked. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password === '') return url;
    u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }
}
