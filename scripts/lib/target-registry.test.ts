import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TARGETS, isTargetName, targetEntry, targetInfo } from './target-registry.ts';

describe('target registry', () => {
  it('lists the four targets with their blueprint ports', () => {
    expect(Object.fromEntries(Object.entries(TARGETS).map(([n, t]) => [n, t.defaultPort]))).toEqual({ sse: 8081, jsonrpc: 8082, broker: 8083, 'price-engine': 8084 });
    expect(targetInfo('sse')).toEqual({ entry: 'targets/sse/index.ts', defaultPort: 8081, unit: 'events' });
    expect(isTargetName('sse')).toBe(true);
    expect(isTargetName('toString')).toBe(false);
  });

  it('resolves an existing entry to an absolute path', () => {
    expect(targetEntry('sse')).toMatch(/\/targets\/sse\/index\.ts$/);
  });

  it('throws clearly for unknown names and missing entries', () => {
    expect(() => targetEntry('nope')).toThrow('unknown target "nope": known targets are sse, jsonrpc, broker, price-engine');
    const empty = mkdtempSync(join(tmpdir(), 'tidemark-'));
    expect(() => targetEntry('sse', empty)).toThrow('its entry targets/sse/index.ts does not exist');
  });
});
