import { describe, expect, it } from 'vitest';
import { JSONRPC_DEFAULTS, jsonRpcOptionsFromEnv } from './options.ts';
import { ResultCache } from './cache.ts';

describe('jsonRpcOptionsFromEnv', () => {
  it('keeps the defaults when nothing is set and reads what is', () => {
    expect(jsonRpcOptionsFromEnv({})).toMatchObject(JSONRPC_DEFAULTS);
    expect(jsonRpcOptionsFromEnv({ TIDEMARK_JSONRPC_MAX_SESSIONS: '7', TIDEMARK_JSONRPC_CACHE_ENTRIES: '0' })).toMatchObject({ maxSessions: 7, cacheEntries: 0 });
  });

  it.each([
    ['TIDEMARK_JSONRPC_MAX_BODY_BYTES', '10'],
    ['TIDEMARK_JSONRPC_MAX_BATCH', '1.5'],
    ['TIDEMARK_JSONRPC_MAX_SESSIONS', 'many'],
    ['TIDEMARK_JSONRPC_SESSION_IDLE_MS', '-1'],
  ])('rejects %s=%s naming the variable and its range', (name, value) => {
    expect(() => jsonRpcOptionsFromEnv({ [name]: value })).toThrow(new RegExp(`^${name}="${value.replace('.', '\\.')}" is invalid: expected an integer from`));
  });
});

describe('ResultCache', () => {
  it('stores nothing with capacity 0 and counts every lookup as a miss', () => {
    const c = new ResultCache<number>(0);
    c.set('a', 1);
    expect(c.get('a')).toBeUndefined();
    expect(c.stats()).toEqual({ hits: 0, misses: 1, hitRatio: 0, entries: 0, capacity: 0 });
  });
});
