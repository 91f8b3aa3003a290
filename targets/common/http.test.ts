import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { pathOf, replyOnUpgradeSocket, splitUrl } from './http.ts';

describe('URL splitting', () => {
  it('pathOf and splitUrl agree on the path; splitUrl also parses the query', () => {
    for (const url of ['/events?rate=5&topic=a', '/health', '/', '/a?', '/a?b?c', undefined]) {
      expect(pathOf(url)).toBe(splitUrl(url).path);
    }
    expect(pathOf('/events?rate=5')).toBe('/events');
    expect(pathOf(undefined)).toBe('/');
    expect(splitUrl('/e?rate=5&x=%20').query.get('x')).toBe(' ');
    expect([...splitUrl('/e').query]).toEqual([]);
  });
});

describe('replyOnUpgradeSocket', () => {
  it('writes a complete plain-text HTTP answer with connection: close and ends the socket', async () => {
    const socket = new PassThrough();
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('utf8')));
    const ended = new Promise<void>((resolve) => socket.on('end', resolve));
    replyOnUpgradeSocket(socket, 503, 'too many connections: the limit is 5', { 'retry-after': '1' });
    await ended;
    const [head, body] = text.split('\r\n\r\n');
    expect(head!.split('\r\n')).toEqual([
      'HTTP/1.1 503 Service Unavailable',
      'content-type: text/plain; charset=utf-8',
      `content-length: ${Buffer.byteLength(body!)}`,
      'connection: close',
      'retry-after: 1',
    ]);
    expect(body).toBe('too many connections: the limit is 5\n');
    expect(socket.writableEnded).toBe(true);
  });

  it('counts the length in bytes and adds no second newline', async () => {
    const socket = new PassThrough();
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('utf8')));
    const ended = new Promise<void>((resolve) => socket.on('end', resolve));
    replyOnUpgradeSocket(socket, 401, 'größe\n');
    await ended;
    expect(text).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n/);
    expect(text).toContain('content-length: 8\r\n');
    expect(text.endsWith('\r\n\r\ngröße\n')).toBe(true);
  });
});
