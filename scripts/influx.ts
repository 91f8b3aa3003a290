/** `npm run influx -- start|stop|status|import`: a local InfluxDB 1.x and pushing saved runs into it. */
import { parseArgs } from 'node:util';
import { DEFAULT_INFLUX_DATABASE } from '../reporters/influx-connection.ts';
import { shownPath } from './lib/cli.ts';
import { importRunDir } from './lib/influx-import.ts';
import { influxdPaths, influxStatus, resolvePort, startInflux, stopInflux } from './lib/influxd.ts';
import { repoPath } from './lib/repo.ts';

const USAGE = `
usage: npm run influx -- <command> [options]

commands:
  start                 start a local InfluxDB 1.x (Debian's influxd) in the background on 127.0.0.1
  stop                  stop it (SIGTERM, SIGKILL after 5 s)
  status                running or stopped, with pid, URL and version
  import <dir>          write the run results in <dir> (results/<runId>) and their target samples;
                        importing again overwrites the same points, it never doubles them

options:
  --port N              HTTP port (default: env TIDEMARK_INFLUX_PORT, else 8086); RPC uses N+2
  --data-dir DIR        data, config, pid file and log (default .data/influxdb)
  --url URL             import: where to write, the path is the database
                        (default: env TIDEMARK_INFLUX_URL, else http://127.0.0.1:<port>/${DEFAULT_INFLUX_DATABASE})
  -h, --help            this text

Credentials: env TIDEMARK_INFLUX_USERNAME / TIDEMARK_INFLUX_PASSWORD, or user:password@ in --url.
`;

function fail(message: string, code = 2): never {
  process.stderr.write(`influx: ${message}\n`);
  process.exit(code);
}

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) fail(`--port ${value} is not a port number (1-65535)`);
  return n;
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        url: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    fail(`${(err as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const opts = {
    ...(values.port === undefined ? {} : { port: parsePort(values.port) }),
    ...(values['data-dir'] === undefined ? {} : { dataDir: values['data-dir'] }),
  };
  const dataDir = opts.dataDir ?? repoPath('.data', 'influxdb');
  const shown = shownPath;

  switch (command) {
    case 'start': {
      const s = await startInflux(opts);
      const how = s.alreadyRunning ? 'already running' : 'started';
      const who = s.managed ? `pid ${s.pid}` : 'not started by tidemark';
      process.stdout.write(`InfluxDB ${s.version} ${how} on ${s.url} (${who}); data in ${shown(dataDir)}, log ${shown(influxdPaths(dataDir).log)}\n`);
      return;
    }
    case 'stop': {
      const r = await stopInflux(opts);
      process.stdout.write(
        r.stopped ? `stopped influxd (pid ${r.pid}${r.killed ? ', killed after 5 s' : ''})\n` : 'influxd is not running (no live pid file)\n',
      );
      return;
    }
    case 'status': {
      const s = await influxStatus(opts);
      const who = s.pid !== null ? `pid ${s.pid}` : s.running ? 'not started by tidemark' : 'no pid';
      process.stdout.write(s.running ? `running  ${s.url}  ${who}  version ${s.version}\n` : `stopped  ${s.url}  (${who})\n`);
      return;
    }
    case 'import': {
      const dir = rest[0] ?? fail(`import needs a results folder, e.g. npm run influx -- import results/<runId>\n${USAGE}`);
      const url = values.url ?? process.env.TIDEMARK_INFLUX_URL ?? `http://127.0.0.1:${resolvePort(opts)}/${DEFAULT_INFLUX_DATABASE}`;
      const report = await importRunDir(dir, url);
      for (const s of report.skipped) process.stdout.write(`skipped  ${shown(s.file)}: ${s.reason}\n`);
      for (const r of report.runs) {
        process.stdout.write(r.written ? `written  ${shown(r.file)}: ${r.scenario}, ${r.points} points\n` : `FAILED   ${shown(r.file)}: ${r.problem}\n`);
      }
      if (report.runs.some((r) => !r.written)) process.exit(1);
      return;
    }
    default:
      fail(`unknown command ${JSON.stringify(command)}\n${USAGE}`);
  }
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err), 1));
