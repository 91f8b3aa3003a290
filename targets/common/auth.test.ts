/** Bearer-token auth (targets/common/auth.ts): env reading, validation, the 401s, the dashboard cookie, upgrades. */
import { createServer, request, type IncomingHttpHeaders, type RequestListener, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildRequest, rawRequest } from './abuse.ts';
import { AUTH_COOKIE, AUTH_ENV, AuthConfigError, authFromEnv, authHeaders, createAuth, guardRequests, tokenFromEnv, validateToken, type Auth } from './auth.ts';
import { closeServer } from './lifecycle.ts';

const TOKEN = 'test-token-0123456789abcdef';

describe('token from the environment', () => {
  it('is off when the variable is unset or empty', () => {
    expect(tokenFromEnv({})).toBeUndefined();
    expect(tokenFromEnv({ [AUTH_ENV]: '' })).toBeUndefined();
    expect(authFromEnv(undefined, {})).toBeUndefined();
    expect(authHeaders({})).toEqual({});
  });

  it('is on with a valid token; the Node client header carries it', () => {
    expect(tokenFromEnv({ [AUTH_ENV]: TOKEN })).toBe(TOKEN);
    expect(authFromEnv(undefined, { [AUTH_ENV]: TOKEN })).toBeDefined();
    expect(authHeaders({ [AUTH_ENV]: TOKEN })).toEqual({ authorization: `Bearer ${TOKEN}` });
  });

  it.each([
    ['short-token', /TIDEMARK_AUTH_TOKEN is 11 characters long, shorter than 16: .*openssl rand -hex 32.*or unset it/],
    ['has a space in it here', /TIDEMARK_AUTH_TOKEN contains whitespace: /],
    ['tab\tinside-0123456789', /TIDEMARK_AUTH_TOKEN contains whitespace/],
    ['trailing-newline-0123\n', /TIDEMARK_AUTH_TOKEN contains whitespace/],
    ['non-ascii-é-0123456789', /TIDEMARK_AUTH_TOKEN contains characters other than printable ASCII/],
  ])('refuses %j at start-up, naming the variable and the fix but never the value', (bad, message) => {
    expect(() => tokenFromEnv({ [AUTH_ENV]: bad })).toThrow(AuthConfigError);
    expect(() => validateToken(bad)).toThrow(message);
    try {
      validateToken(bad);
    } catch (err) {
      expect((err as Error).message).not.toContain(bad);
    }
  });

  it('accepts exactly 16 printable characters', () => {
    expect(() => validateToken('a'.repeat(16))).not.toThrow();
    expect(() => validateToken('a'.repeat(15))).toThrow(/15 characters/);
  });
});

/** A server on a free loopback port running `handler` behind `auth`, plus the raw upgrade check. */
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => closeServer(s)));
});

async function serve(auth: Auth | undefined, handler: RequestListener = (_req, res) => res.end('ok\n')): Promise<string> {
  const server = createServer(guardRequests(auth, handler));
  servers.push(server);
  server.on('upgrade', (req, socket) => {
    if (auth !== undefined && auth.refuseUpgrade(req, socket)) return;
    socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Sends an upgrade request; resolves with the status of the answer (101 or the refusal). */
function upgrade(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { connection: 'Upgrade', upgrade: 'websocket', ...headers }, agent: false });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

describe('requests', () => {
  it('off: the handler is used as is (no wrapper, nothing paid)', async () => {
    const handler: RequestListener = (_req, res) => res.end('ok\n');
    expect(guardRequests(undefined, handler)).toBe(handler);
    const base = await serve(undefined);
    expect((await get(`${base}/stats`)).status).toBe(200);
    expect((await upgrade(`${base}/ws`)).status).toBe(101);
  });

  it('on: 401 with the Bearer challenge and a line naming the missing/wrong header, never the token', async () => {
    const base = await serve(createAuth(TOKEN));
    const missing = await get(`${base}/stats`);
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="tidemark"');
    expect(missing.body).toMatch(/^missing Authorization header: .*"Authorization: Bearer <token>".*TIDEMARK_AUTH_TOKEN[^\n]*\n$/);

    const scheme = await get(`${base}/stats`, { authorization: `Basic ${TOKEN}` });
    expect(scheme.status).toBe(401);
    expect(scheme.body).toMatch(/not a Bearer token/);
    expect(scheme.body).not.toContain(TOKEN);

    const wrongToken = `${TOKEN}x`;
    const wrong = await get(`${base}/stats`, { authorization: `Bearer ${wrongToken}` });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toBe('Bearer realm="tidemark", error="invalid_token"');
    expect(wrong.body).toMatch(/wrong bearer token/);
    expect(wrong.body).not.toContain(wrongToken);
    expect(wrong.body.split('\n')).toHaveLength(2); // one line

    expect((await get(`${base}/stats`, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await get(`${base}/stats`, { authorization: `bearer  ${TOKEN}` })).status).toBe(200); // scheme is case-insensitive
    expect((await get(`${base}/stats`, { authorization: `Bearer ${TOKEN.slice(0, -1)}` })).status).toBe(401);
  });

  it('on: /health stays open, with or without a header; /health/x and /healthz do not', async () => {
    const base = await serve(createAuth(TOKEN));
    expect((await get(`${base}/health`)).status).toBe(200);
    expect((await get(`${base}/health?x=1`)).status).toBe(200);
    expect((await get(`${base}/health`, { authorization: 'Bearer wrong-but-open-path' })).status).toBe(200);
    expect((await get(`${base}/healthz`)).status).toBe(401);
    expect((await get(`${base}/health/x`)).status).toBe(401);
  });

  it('on: a refused POST with a body is answered 401 with connection: close', async () => {
    const base = await serve(createAuth(TOKEN));
    const reply = await new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      const req = request(`${base}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
      });
      req.on('error', reject);
      req.end('x'.repeat(100_000));
    });
    expect(reply).toEqual({ status: 401, connection: 'close' });
  });

  it('on: a refusal without a body keeps the keep-alive connection', async () => {
    const port = Number(new URL(await serve(createAuth(TOKEN))).port);
    for (const data of [buildRequest({ path: '/stats' }), buildRequest({ method: 'POST', path: '/rpc', headers: { 'Content-Length': '0' } })]) {
      const r = await rawRequest({ port, data });
      expect([r.status, r.headers.connection, r.closedByServer]).toEqual([401, 'keep-alive', false]);
    }
  });

  it.each([
    ['Content-Length: 10000000', 'x'.repeat(1000)],
    ['Transfer-Encoding: chunked', `3e8\r\n${'x'.repeat(1000)}\r\n`],
  ])('on: an unauthenticated upload (%s, never finished) gets 401 and its socket ends at once, not at the request timeout', async (header, part) => {
    const port = Number(new URL(await serve(createAuth(TOKEN))).port);
    const started = performance.now();
    const { received, ended } = await new Promise<{ received: string; ended: boolean }>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      let text = '';
      const timer = setTimeout(() => {
        socket.destroy();
        resolve({ received: text, ended: false });
      }, 3000);
      const done = (): void => {
        clearTimeout(timer);
        resolve({ received: text, ended: true });
      };
      socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
      socket.on('end', done);
      socket.on('close', done);
      socket.on('error', () => {}); // a reset after the answer is fine: the socket ended
      socket.once('connect', () => socket.write(`POST /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\n${header}\r\n\r\n${part}`));
    });
    expect(received).toMatch(/^HTTP\/1\.1 401 /);
    expect(received.toLowerCase()).toContain('\r\nconnection: close\r\n');
    expect(ended, 'the server ended the socket').toBe(true);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

describe('upgrades', () => {
  it('on: refused with an HTTP 401 before any handshake; with the token it proceeds', async () => {
    const base = await serve(createAuth(TOKEN));
    const refused = await upgrade(`${base}/ws`);
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toBe('Bearer realm="tidemark"');
    expect(refused.body).toMatch(/^missing Authorization header/);
    const wrong = await upgrade(`${base}/ws`, { authorization: 'Bearer 0000000000000000000000' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).not.toContain('0000000000000000000000');
    expect((await upgrade(`${base}/ws`, { authorization: `Bearer ${TOKEN}` })).status).toBe(101);
  });
});

describe('browser access (the dashboard)', () => {
  const browser = { loginPath: '/', paths: ['/', '/app.js', '/metrics.json'] };

  it('GET /?token= with the right token sets an HttpOnly SameSite=Strict cookie (not the token) and redirects to /', async () => {
    const base = await serve(createAuth(TOKEN, browser));
    const login = await get(`${base}/?token=${encodeURIComponent(TOKEN)}`);
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/');
    const setCookie = login.headers['set-cookie']?.[0] ?? '';
    expect(setCookie).toMatch(new RegExp(`^${AUTH_COOKIE}=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict$`));
    expect(setCookie).not.toContain(TOKEN);
    const cookie = setCookie.split(';')[0] as string;

    for (const path of browser.paths) expect((await get(`${base}${path}`, { cookie })).status).toBe(200);
    // The cookie counts on the browser paths only.
    expect((await get(`${base}/stats`, { cookie })).status).toBe(401);
    expect((await upgrade(`${base}/ws`, { cookie })).status).toBe(401);
    // Without or with a forged cookie the page is refused, with a hint how to log in.
    const bare = await get(`${base}/`);
    expect(bare.status).toBe(401);
    expect(bare.body).toContain('open /?token=<token> once');
    expect((await get(`${base}/`, { cookie: `${AUTH_COOKIE}=forged` })).status).toBe(401);
  });

  it('a wrong ?token= is a 401 that does not echo it; ?token= elsewhere than the login path counts for nothing', async () => {
    const base = await serve(createAuth(TOKEN, browser));
    const wrong = await get(`${base}/?token=nope-nope-nope-nope`);
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect(wrong.body).not.toContain('nope-nope');
    expect((await get(`${base}/metrics.json?token=${TOKEN}`)).status).toBe(401);
    expect((await get(`${base}/stats?token=${TOKEN}`)).status).toBe(401);
  });

  it('without browser access the cookie and ?token= are ignored', async () => {
    const base = await serve(createAuth(TOKEN));
    expect((await get(`${base}/?token=${TOKEN}`)).status).toBe(401);
  });
});
