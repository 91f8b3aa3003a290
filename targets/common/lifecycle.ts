/**
 * Start and stop of a target process: listen with clear errors, print the ready
 * line, and shut down on SIGTERM/SIGINT within the 2 s the contract allows.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseTargetCli, UsageError, type TargetCliSpec } from './cli.ts';

/** A target as the lifecycle sees it: an HTTP server plus its own clean-up. */
export interface RunnableTarget {
  server: Server;
  /** Stops timers and producers, destroys open streams and closes the server. */
  close(): Promise<void>;
}

/** Turns a listen error into a sentence naming the address and what to do. */
export function describeListenError(err: NodeJS.ErrnoException, host: string, port: number): string {
  switch (err.code) {
    case 'EADDRINUSE':
      return `port ${port} on ${host} is already in use (EADDRINUSE): stop the process holding it (see \`ss -ltnp 'sport = :${port}'\`) or pass --port N`;
    case 'EACCES':
      return `not allowed to bind ${host}:${port} (EACCES): use a port above 1023`;
    case 'EADDRNOTAVAIL':
      return `address ${host} is not available on this machine (EADDRNOTAVAIL): use --host 127.0.0.1`;
    default:
      return `cannot listen on ${host}:${port}: ${err.message}`;
  }
}

/**
 * Accept queue length. Node's default (511) overflows when a churn or ramp
 * scenario opens a thousand connections at once; the kernel then drops SYNs and
 * clients retry after 1 s, 3 s..., which would show up as target latency. The
 * kernel caps it at net.core.somaxconn.
 */
export const LISTEN_BACKLOG = 4096;

/**
 * Listens and resolves with the bound address (port 0 → the port the OS chose).
 * Rejects with an Error whose message comes from {@link describeListenError}.
 */
export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(new Error(describeListenError(err, host, port), { cause: err }));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host, backlog: LISTEN_BACKLOG });
  });
}

/** `http://host:port`, with brackets around IPv6 literals. */
export function baseUrl(address: AddressInfo): string {
  const host = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/** Closes a server and destroys every open connection (long-lived streams would otherwise hold `close` forever). */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      server.closeAllConnections();
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * On the first SIGTERM or SIGINT, closes `target` and exits 0; later signals are
 * ignored (a terminal's Ctrl-C plus a forwarded copy arrive together). A hard
 * deadline exits 0 anyway so the process is gone within the contract's 2 s.
 * @param deadlineMs forced exit after this many ms; default 1500
 */
export function exitOnSignals(target: RunnableTarget, deadlineMs = 1500): void {
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), deadlineMs).unref();
    target.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`error while closing: ${String(err)}\n`);
        process.exit(0);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** What an entry point passes to {@link runTarget}. */
export interface TargetMain extends TargetCliSpec {
  /** Builds the target (reads env here so a bad knob is reported before listening). */
  create: () => RunnableTarget | Promise<RunnableTarget>;
  /** Extra lines for stderr once listening (e.g. active faults). Default none. */
  notes?: () => string[];
}

/**
 * The whole `main` of a target: parse flags, build, listen, print
 * `listening on http://HOST:PORT`, exit cleanly on signals.
 * Exit codes: 0 help/stopped, 1 start-up failure (bad env, port in use), 2 bad flags.
 */
export async function runTarget(main: TargetMain, argv: string[] = process.argv.slice(2)): Promise<void> {
  let cli;
  try {
    cli = parseTargetCli(main, argv);
  } catch (err) {
    process.stderr.write(`${main.name}: ${(err as Error).message}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  }
  if (cli.kind === 'help') {
    process.stdout.write(`${cli.text}\n`);
    return;
  }
  try {
    const target = await main.create();
    const address = await listen(target.server, cli.port, cli.host);
    exitOnSignals(target);
    for (const line of main.notes?.() ?? []) process.stderr.write(`${main.name}: ${line}\n`);
    process.stdout.write(`listening on ${baseUrl(address)}\n`);
  } catch (err) {
    process.stderr.write(`${main.name}: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
