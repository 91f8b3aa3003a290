import { describe, expect, it } from 'vitest';
import { parseInfluxUrl, redactUrl } from './influx-connection.ts';

describe('parseInfluxUrl', () => {
  it('takes the database from the path, k6 by default', () => {
    expect(parseInfluxUrl('http://127.0.0.1:8086/tidemark', {})).toMatchObject({ host: '127.0.0.1', port: 8086, database: 'tidemark', protocol: 'http' });
    expect(parseInfluxUrl('http://127.0.0.1:8086', {}).database).toBe('k6');
  });

  it('reads credentials from the URL, env first, and never puts them in safeUrl', () => {
    const c = parseInfluxUrl('http://bob:p%40ss@127.0.0.1:8086/k6', {});
    expect(c).toMatchObject({ username: 'bob', password: 'p@ss', safeUrl: 'http://127.0.0.1:8086/k6' });
    const e = parseInfluxUrl('http://bob:x@127.0.0.1:8086/k6', { TIDEMARK_INFLUX_USERNAME: 'env', TIDEMARK_INFLUX_PASSWORD: 'pw' });
    expect(e).toMatchObject({ username: 'env', password: 'pw' });
  });

  it('names a bad URL without echoing credentials', () => {
    expect(() => parseInfluxUrl('ftp://u:p@h/k6', {})).toThrow('ftp://h/k6 must be http:// or https://');
    expect(redactUrl('http://u:p@h:1/db')).toBe('http://h:1/db');
  });
});
