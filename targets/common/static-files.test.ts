import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadStaticFiles } from './static-files.ts';

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

describe('loadStaticFiles', () => {
  it('serves loaded files with their type, answers 405 to other methods, leaves other paths to the caller', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'static-'));
    writeFileSync(join(dir, 'a.html'), '<p>hi</p>');
    writeFileSync(join(dir, 'b.js'), 'x()');
    const files = loadStaticFiles({ '/': join(dir, 'a.html'), '/b.js': join(dir, 'b.js') });
    const server = createServer((req, res) => {
      if (!files.handle(req, res, req.url ?? '/')) res.writeHead(418).end();
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const page = await fetch(`${base}/`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toBe('<p>hi</p>');
    const js = await fetch(`${base}/b.js`);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(`${base}/b.js`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${base}/other`)).status).toBe(418);
    expect(files.paths).toEqual(['/', '/b.js']);
  });

  it('fails at load naming a missing file', () => {
    expect(() => loadStaticFiles({ '/x': '/nonexistent/x.js' })).toThrow('cannot read static file /nonexistent/x.js (served at /x)');
  });
});
