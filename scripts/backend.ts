/** `npm run backend -- start|stop|status <server>`: the real RabbitMQ and Mosquitto behind the broker target. */
import { BACKEND_SERVERS, BACKEND_SERVER_NAMES } from '../targets/broker/backend-servers.ts';
import { KAFKA_NOTE } from '../targets/broker/backend-choice.ts';
import { backendServerLog, backendServerStatus, parseServerNames, startBackendServer, stopBackendServer } from './lib/backend-server.ts';
import { parseCli, runMain, shownPath, UsageError } from './lib/cli.ts';

const USAGE = `
usage: npm run backend -- <command> <server>

commands:
  start <server>    start it in the background on 127.0.0.1 and wait until it answers
                    (RabbitMQ takes about 5 s; Mosquitto answers at once)
  stop <server>     stop it (SIGTERM, SIGKILL after 10 s)
  status <server>   running or stopped, with pid, URL and version

servers (data, config, pid file and log under .data/<server>/):
${BACKEND_SERVER_NAMES.map((n) => `  ${n.padEnd(10)} port ${BACKEND_SERVERS[n].defaultPort} (env ${BACKEND_SERVERS[n].portEnv}); the broker target reads ${BACKEND_SERVERS[n].urlEnv}`).join('\n')}
  all        every server above

The broker target uses them with TIDEMARK_BROKER_BACKEND=rabbitmq|mqtt (or --backend).
${KAFKA_NOTE}
`;

async function main(): Promise<number> {
  const { positionals } = parseCli(USAGE, {});
  const [command, server, ...extra] = positionals;
  if (command === undefined) {
    process.stdout.write(`${USAGE.trim()}\n`);
    return 0;
  }
  if (server === undefined) throw new UsageError(`${command} needs a server: ${BACKEND_SERVER_NAMES.join(', ')} or all`);
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  let names;
  try {
    names = parseServerNames(server);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (!['start', 'stop', 'status'].includes(command)) throw new UsageError(`unknown command ${JSON.stringify(command)}: expected start, stop or status`);
  for (const name of names) {
    switch (command) {
      case 'start': {
        const started = Date.now();
        const s = await startBackendServer(name);
        const how = s.alreadyRunning ? 'already running' : `started in ${((Date.now() - started) / 1000).toFixed(1)} s`;
        const who = s.managed ? `pid ${s.pid}` : 'not started by tidemark';
        process.stdout.write(`${name} ${s.version} ${how} on ${s.url} (${who}); log ${shownPath(backendServerLog(name))}\n`);
        break;
      }
      case 'stop': {
        const r = await stopBackendServer(name);
        process.stdout.write(r.stopped ? `stopped ${name} (pid ${r.pid}${r.killed ? ', killed after 10 s' : ''})\n` : `${name} is not running (no live pid file)\n`);
        break;
      }
      case 'status': {
        const s = await backendServerStatus(name);
        const who = s.pid !== null ? `pid ${s.pid}` : s.running ? 'not started by tidemark' : 'no pid';
        process.stdout.write(s.running ? `${name.padEnd(10)} running  ${s.url}  ${who}  version ${s.version}\n` : `${name.padEnd(10)} stopped  ${s.url}  (${who})\n`);
        break;
      }
    }
  }
  return 0;
}

runMain(main, 1);
