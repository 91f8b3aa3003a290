/**
 * scenarios/lib/auth.ts without k6: auth off hands headers through untouched (no object per request), auth on
 * builds the headers of a session once per VU (by session id: k6 hands out setup data as new objects per access). The module reads k6's `__ENV` when loaded, so it is loaded
 * fresh with a stand-in `__ENV` per case (by a path tsc does not follow: it type-checks k6 globals elsewhere).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

interface AuthModule {
  AUTH_HEADERS: Readonly<Record<string, string>>;
  AUTH_ON: boolean;
  withAuth(headers?: Record<string, string>): Record<string, string>;
  AUTH_CACHE_MAX: number;
  authHeadersFor(key: string, headers: Record<string, string>): Record<string, string>;
  forgetAuthHeaders(key: string): void;
  wsAuthParams(): { headers: Record<string, string> };
  redactToken(text: string): string;
}

const AUTH_PATH = '../scenarios/lib/auth.ts';
const g = globalThis as { __ENV?: Record<string, string | undefined> };

async function loadAuth(env: Record<string, string>): Promise<AuthModule> {
  vi.resetModules();
  g.__ENV = env;
  return (await import(/* @vite-ignore */ AUTH_PATH)) as AuthModule;
}

afterEach(() => {
  delete g.__ENV;
});

describe('scenarios/lib/auth.ts', () => {
  it('auth off (unset or empty): withAuth returns its input itself, authHeadersFor too; no header anywhere', async () => {
    for (const env of [{}, { TIDEMARK_AUTH_TOKEN: '' }] as Array<Record<string, string>>) {
      const auth = await loadAuth(env);
      expect(auth.AUTH_ON).toBe(false);
      expect(auth.AUTH_HEADERS).toEqual({});
      const headers = { 'Content-Type': 'application/json' };
      expect(auth.withAuth(headers)).toBe(headers);
      expect(auth.authHeadersFor('s1', headers)).toBe(headers);
      expect(headers).toEqual({ 'Content-Type': 'application/json' });
      // No argument: a fresh object each time (sse-stream.ts adds Last-Event-ID to it).
      const a = auth.withAuth();
      expect(a).toEqual({});
      expect(auth.withAuth()).not.toBe(a);
      expect(auth.wsAuthParams()).toEqual({ headers: {} });
      expect(auth.redactToken('nothing to hide')).toBe('nothing to hide');
    }
  });

  it('auth on: withAuth adds the header to a copy; authHeadersFor builds it once per key, bounded', async () => {
    const token = 'k6-auth-token-4e1d9b7c2a5f8036';
    const auth = await loadAuth({ TIDEMARK_AUTH_TOKEN: token });
    expect(auth.AUTH_ON).toBe(true);
    const bearer = { Authorization: `Bearer ${token}` };
    const headers = { 'Content-Type': 'application/json', 'Mcp-Session-Id': 's1' };
    const sent = auth.withAuth(headers);
    expect(sent).toEqual({ ...headers, ...bearer });
    expect(sent).not.toBe(headers);
    expect(headers).not.toHaveProperty('Authorization'); // a session's headers (setup() data) stay token-free

    const once = auth.authHeadersFor('s1', headers);
    expect(once).toEqual({ ...headers, ...bearer });
    expect(auth.authHeadersFor('s1', { ...headers })).toBe(once); // setup data: an equal copy per access
    expect(headers).not.toHaveProperty('Authorization');
    const other = { ...headers, 'Mcp-Session-Id': 's2' };
    expect(auth.authHeadersFor('s2', other)).toEqual({ ...other, ...bearer });
    expect(auth.authHeadersFor('s2', other)).not.toBe(once);
    auth.forgetAuthHeaders('s1');
    const again = auth.authHeadersFor('s1', headers);
    expect(again).toEqual(once);
    expect(again).not.toBe(once);
    // Churned sessions do not pile up: past AUTH_CACHE_MAX keys the cache starts over.
    for (let i = 0; i < auth.AUTH_CACHE_MAX; i++) auth.authHeadersFor(`churn-${i}`, { 'Mcp-Session-Id': `churn-${i}` });
    expect(auth.authHeadersFor('s1', headers)).not.toBe(again);

    expect(auth.withAuth()).toEqual(bearer);
    expect(auth.wsAuthParams()).toEqual({ headers: bearer });
    expect(auth.wsAuthParams()).toBe(auth.wsAuthParams());
    expect(auth.redactToken(JSON.stringify({ headers: once }))).not.toContain(token);
  });
});
