/**
 * Bearer-token auth on every reference target (issue 9, point 8): each target in-process on port 0
 * with TIDEMARK_AUTH_TOKEN set (401 without or with a wrong token, 200/101 with it, /health open),
 * off by default, a malformed token refused at start-up by the real entry point, and the default
 * bind address 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { AUTH_COOKIE, AUTH_ENV } from '../targets/common/auth.ts';
import { DEFAULT_HOST, parseTargetCli } from '../targets/common/cli.ts';
import { NO_FAULTS } from '../targets/common/faults.ts';
import type { RunnableTarget } from '../targets/common/lifecycle.ts';
import { createBrokerServer } from '../targets/broker/server.ts';
import { createJsonRpcServer } from '../targets/jsonrpc/server.ts';
import { createPriceEngine } from '../targets/price-engine/server.ts';
import { createSseServer } from '../targets/sse/server.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TOKEN = 'it-token-7f3a9c1e5b2d4068aa';
const WRONG = 'it-token-7f3a9c1e5b2d4068ab';
const BEARER = { authorization: `Bearer ${TOKEN}` };

type Target = RunnableTarget & { listen(port?: number, host?: string): Promise<AddressInfo> };

const servers: Target[] = [];
const sockets: { destroy(): void }[] = [];
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Builds a target with `token` in the environment only while it reads it, listens with the default host. */
async function start(create: () => Target, token: string | undefined): Promise<{ base: string; address: AddressInfo }> {
  const saved = process.env[AUTH_ENV];
  if (token === undefined) delete process.env[AUTH_ENV];
  else process.env[AUTH_ENV] = token;
  let server: Target;
  try {
    server = create();
  } finally {
    if (saved === undefined) delete process.env[AUTH_ENV];
    else process.env[AUTH_ENV] = saved;
  }
  servers.push(server);
  const address = await server.listen(0); // no host: the target's default
  return { base: `http://127.0.0.1:${address.port}`, address };
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP request; an event stream is cut once its headers arrived (its status is what counts). */
function send(url: string, method = 'GET', headers: Record<string, string> = {}, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      if ((res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
        req.destroy();
        return;
      }
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    sockets.push(req);
    req.setTimeout(5000, () => req.destroy(new Error(`${method} ${url}: no answer within 5 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** A WebSocket connect: 101 when it opened, else the HTTP status of the refusal. */
function wsConnect(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    sockets.push({ destroy: () => ws.terminate() });
    const timer = setTimeout(() => reject(new Error(`${url}: no answer within 5 s`)), 5000);
    ws.on('open', () => {
      clearTimeout(timer);
      resolve({ status: 101, headers: {}, body: '' });
      ws.close();
    });
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
      });
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

interface Call {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Status with the right token. */
  ok: number;
}

interface Case {
  name: string;
  entry: string;
  create: () => Target;
  calls: Call[];
  /** Where an upgrade goes, and the status with the token (101; a target without WebSockets answers it as a plain request). */
  ws: { path: string; ok: number };
}

const mcpInit = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'auth-test', version: '1' } } });
const tick = JSON.stringify({ symbol: 'AAPL', bid: 1, ask: 1.01, size: 10 });

const CASES: Case[] = [
  {
    name: 'sse',
    entry: 'targets/sse/index.ts',
    create: () => createSseServer({ faults: { ...NO_FAULTS } }),
    calls: [
      { method: 'GET', path: '/stats', ok: 200 },
      { method: 'GET', path: '/events?rate=10', ok: 200 },
      { method: 'GET', path: '/events?rate=10&topic=auth', ok: 200 },
    ],
    ws: { path: '/stats', ok: 200 },
  },
  {
    name: 'jsonrpc',
    entry: 'targets/jsonrpc/index.ts',
    create: () => createJsonRpcServer({ faults: { ...NO_FAULTS } }),
    calls: [
      { method: 'GET', path: '/stats', ok: 200 },
      { method: 'POST', path: '/rpc', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","method":"echo","params":{"m":1},"id":1}', ok: 200 },
      { method: 'POST', path: '/mcp', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: mcpInit, ok: 200 },
    ],
    ws: { path: '/stats', ok: 200 },
  },
  {
    name: 'broker',
    entry: 'targets/broker/index.ts',
    create: () => createBrokerServer({ faults: { ...NO_FAULTS } }),
    calls: [
      { method: 'GET', path: '/stats', ok: 200 },
      { method: 'GET', path: '/ws', ok: 426 }, // plain GET of the WebSocket path, past auth
    ],
    ws: { path: '/ws', ok: 101 },
  },
  {
    name: 'price-engine',
    entry: 'targets/price-engine/index.ts',
    create: () => createPriceEngine({ faults: { ...NO_FAULTS } }),
    calls: [
      { method: 'GET', path: '/stats', ok: 200 },
      { method: 'GET', path: '/metrics', ok: 200 },
      { method: 'GET', path: '/metrics.json', ok: 200 },
      { method: 'POST', path: '/metrics/marks', ok: 201 },
      { method: 'POST', path: '/ticks', headers: { 'content-type': 'application/json' }, body: tick, ok: 200 },
      { method: 'GET', path: '/quotes?symbols=AAPL', ok: 200 },
      { method: 'GET', path: '/', ok: 200 },
      { method: 'GET', path: '/dashboard.js', ok: 200 },
    ],
    ws: { path: '/ticks', ok: 101 },
  },
];

describe.each(CASES)('$name target with TIDEMARK_AUTH_TOKEN set', (c) => {
  it('refuses every protected request without or with a wrong token (401, Bearer challenge), serves it with the token; /health stays open', async () => {
    const { base } = await start(c.create, TOKEN);
    expect((await send(`${base}/health`)).status).toBe(200);
    for (const call of c.calls) {
      const url = `${base}${call.path}`;
      const missing = await send(url, call.method, call.headers, call.body);
      expect(missing.status, `${call.method} ${call.path} without token`).toBe(401);
      expect(missing.headers['www-authenticate']).toBe('Bearer realm="tidemark"');
      expect(missing.body).toMatch(/^missing Authorization header: .*TIDEMARK_AUTH_TOKEN/);
      const wrong = await send(url, call.method, { ...call.headers, authorization: `Bearer ${WRONG}` }, call.body);
      expect(wrong.status, `${call.method} ${call.path} with a wrong token`).toBe(401);
      expect(wrong.body).not.toContain(WRONG);
      expect(wrong.body).not.toContain(TOKEN);
      const ok = await send(url, call.method, { ...call.headers, ...BEARER }, call.body);
      expect(ok.status, `${call.method} ${call.path} with the token`).toBe(call.ok);
    }
  });

  it('refuses a WebSocket upgrade with HTTP 401 before the handshake; 101 with the token', async () => {
    const { base } = await start(c.create, TOKEN);
    const url = `${base.replace('http', 'ws')}${c.ws.path}`;
    const missing = await wsConnect(url);
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="tidemark"');
    expect(missing.body).toMatch(/missing Authorization header/);
    expect((await wsConnect(url, { authorization: `Bearer ${WRONG}` })).status).toBe(401);
    expect((await wsConnect(url, BEARER)).status).toBe(c.ws.ok);
  });

  it('is off by default: everything answers without a header; the default host is 127.0.0.1', async () => {
    const { base, address } = await start(c.create, undefined);
    expect(address.address).toBe('127.0.0.1');
    for (const call of c.calls) {
      expect((await send(`${base}${call.path}`, call.method, call.headers, call.body)).status, `${call.method} ${call.path}`).toBe(call.ok);
    }
    expect((await wsConnect(`${base.replace('http', 'ws')}${c.ws.path}`)).status).toBe(c.ws.ok);
  });

  it('an empty TIDEMARK_AUTH_TOKEN is off too', async () => {
    const { base } = await start(c.create, '');
    expect((await send(`${base}/stats`)).status).toBe(200);
  });

  it('a malformed token is a start-up error of the real entry (exit 1) naming the variable, not the value', async () => {
    const short = 'Zq9-short';
    const child = spawn(process.execPath, ['--import', 'tsx', c.entry, '--port', '0'], { cwd: ROOT, env: { ...process.env, [AUTH_ENV]: short }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    expect(code).toBe(1);
    expect(stderr).toContain(`${c.name}: TIDEMARK_AUTH_TOKEN is 9 characters long, shorter than 16`);
    expect(stderr).not.toContain(short);
  });

  it('the real entry binds 127.0.0.1 without --host and enforces the token from its environment', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', c.entry, '--port', '0'], { cwd: ROOT, env: { ...process.env, [AUTH_ENV]: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const deadline = Date.now() + 15_000;
    let base: string | undefined;
    while (base === undefined && Date.now() < deadline && child.exitCode === null) {
      base = /listening on (http:\/\/[^\s]+)/.exec(stdout)?.[1];
      if (base === undefined) await new Promise((r) => setTimeout(r, 20));
    }
    expect(base, `no ready line: ${stderr}`).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await send(`${base}/health`)).status).toBe(200);
    expect((await send(`${base}/stats`)).status).toBe(401);
    expect((await send(`${base}/stats`, 'GET', BEARER)).status).toBe(200);
    expect(stdout + stderr).not.toContain(TOKEN);
    child.kill('SIGTERM');
    expect(await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))).toBe(0);
  });
});

describe('price-engine dashboard in a browser (cookie from GET /?token=)', () => {
  it('exchanges the token for a cookie accepted by the page, its files and its API calls only', async () => {
    const { base } = await start(() => createPriceEngine({ faults: { ...NO_FAULTS } }), TOKEN);
    const login = await send(`${base}/?token=${TOKEN}`);
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/');
    const cookie = (login.headers['set-cookie']?.[0] ?? '').split(';')[0] as string;
    expect(cookie.startsWith(`${AUTH_COOKIE}=`)).toBe(true);
    expect(cookie).not.toContain(TOKEN);
    for (const path of ['/', '/dashboard.js', '/dashboard.css', '/vendor/uPlot.iife.min.js', '/vendor/uPlot.min.css', '/metrics.json']) {
      expect((await send(`${base}${path}`, 'GET', { cookie })).status, path).toBe(200);
    }
    for (const path of ['/stats', '/metrics', '/quotes']) {
      expect((await send(`${base}${path}`, 'GET', { cookie })).status, path).toBe(401);
    }
    expect((await wsConnect(`${base.replace('http', 'ws')}/ticks`, { cookie })).status).toBe(401);
    expect((await send(`${base}/?token=${WRONG}`)).status).toBe(401);
  });
});

describe('default bind address', () => {
  it('every target CLI defaults to 127.0.0.1', () => {
    expect(DEFAULT_HOST).toBe('127.0.0.1');
    for (const [name, defaultPort] of [['sse', 8081], ['jsonrpc', 8082], ['broker', 8083], ['price-engine', 8084]] as const) {
      expect(parseTargetCli({ name, defaultPort }, [])).toEqual({ kind: 'run', port: defaultPort, host: '127.0.0.1' });
    }
  });
});
