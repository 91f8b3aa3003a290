// Needs `npm run setup` to have built .tools/bin/k6 (CI runs it first).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { k6Env, k6Path, k6SourceHash, k6Version, repoRoot } from './k6-build.ts';

const K6_DIR = join(repoRoot(), 'k6');

describe('k6SourceHash', () => {
  let copy = '';
  beforeAll(async () => {
    copy = await mkdtemp(join(tmpdir(), 'tidemark-k6src-'));
    await cp(K6_DIR, copy, { recursive: true });
  });
  afterAll(async () => {
    await rm(copy, { recursive: true, force: true });
  });

  it('is the same for an identical copy of k6/', async () => {
    expect(await k6SourceHash(copy)).toBe(await k6SourceHash(K6_DIR));
  });

  it('changes when a .go file, go.mod or go.sum changes, not when a test changes', async () => {
    const base = await k6SourceHash(copy);
    await writeFile(join(copy, 'sse', 'zz_extra_test.go'), 'package sse\n');
    expect(await k6SourceHash(copy)).toBe(base);

    await appendFile(join(copy, 'sse', 'module.go'), '\n// edited\n');
    const afterGo = await k6SourceHash(copy);
    expect(afterGo).not.toBe(base);

    await appendFile(join(copy, 'go.sum'), '\n');
    const afterSum = await k6SourceHash(copy);
    expect(afterSum).not.toBe(afterGo);

    await writeFile(join(copy, 'sse', 'new_file.go'), 'package sse\n');
    expect(await k6SourceHash(copy)).not.toBe(afterSum);
  });
});

describe('the built k6', () => {
  it('exists and matches the current k6/ sources (else run `npm run setup`)', async () => {
    expect(existsSync(k6Path()), `${k6Path()} is missing: run npm run setup`).toBe(true);
    const stamp = (await readFile(join(repoRoot(), '.tools', 'bin', 'k6.stamp'), 'utf8')).trim();
    expect(stamp, 'k6/ changed since .tools/bin/k6 was built: run npm run setup').toBe(await k6SourceHash());
  });

  it('is k6 v1 with the k6/x/sse extension', async () => {
    const v = await k6Version();
    expect(v).toMatch(/^k6 v1\.8\.1 /);
    expect(v).toMatch(/k6\/x\/sse \[js\]/);
  });

  it('runs with extension auto-resolution and usage reports off', () => {
    const env = k6Env();
    expect(env.K6_AUTO_EXTENSION_RESOLUTION).toBe('false');
    expect(env.K6_NO_USAGE_REPORT).toBe('true');
    expect(env.PATH).toBe(process.env.PATH);
  });
});

// A real stream through the real binary: named events with ids, multi-line
// data, a heartbeat comment that must not surface, then the server ends it.
const SCRIPT = `
import sse from 'k6/x/sse';
import { check } from 'k6';
export const options = { vus: 1, iterations: 1, thresholds: { checks: ['rate==1'] } };
export default function () {
  const seen = [];
  let opened = false;
  const res = sse.open(__ENV.URL + '/stream', { headers: { 'X-Probe': 'yes' }, timeout: '10s' }, (client) => {
    client.on('open', () => { opened = true; });
    client.on('event', (e) => { seen.push(e); });
    client.on('error', (e) => { console.error('sse error: ' + e.error()); });
  });
  const now = Date.now();
  check(res, {
    'status 200': (r) => r.status === 200 && r.error === '' && r.error_code === 0,
    'ended by server': (r) => r.end_reason === 'server',
    'opened': () => opened,
    'three events, heartbeat skipped': () => seen.length === 3,
    'ids and names': () => seen.map((e) => e.id + ':' + e.name).join(',') === '1:tick,2:tick,3:',
    'multi-line data': () => seen[1].data === 'two\\nlines',
    // Date.now() is whole ms, receivedAt has µs: allow the ms it was read in.
    'receivedAt in ms, µs precision': () =>
      seen.every((e) => e.receivedAt > now - 10000 && e.receivedAt < now + 1) && seen.some((e) => e.receivedAt % 1 !== 0),
  });
  let code = 0;
  const bad = sse.open(__ENV.URL + '/missing', (client) => { client.on('error', (e) => { code = e.code; }); });
  check(bad, { '404 reported, not thrown': (r) => r.status === 404 && r.error_code === 1404 && code === 1404 && r.end_reason === 'error' });
}
`;

describe('k6/x/sse end to end', () => {
  let server: Server;
  let url = '';
  let dir = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url !== '/stream' || req.headers['x-probe'] !== 'yes') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('id: 1\nevent: tick\ndata: one\n\n');
      res.write(': heartbeat\n\n');
      res.write('id: 2\nevent: tick\ndata: two\ndata: lines\n\n');
      res.end('id: 3\ndata: three\n\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = await mkdtemp(join(tmpdir(), 'tidemark-k6sse-'));
    await writeFile(join(dir, 'stream.js'), SCRIPT);
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers events, skips comments, reports a bad status without throwing', async () => {
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const child = spawn(k6Path(), ['run', '--no-color', '-q', '-e', `URL=${url}`, join(dir, 'stream.js')], {
        env: k6Env(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('error', reject);
      child.on('close', (c) => {
        clearTimeout(timer);
        resolve({ code: c, output });
      });
    });
    expect(output).toContain('checks_succeeded...: 100.00%');
    expect(code, output).toBe(0);
  }, 40_000);
});
