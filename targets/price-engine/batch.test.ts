import { describe, expect, it } from 'vitest';
import { parseBatch } from './batch.ts';

describe('parseBatch', () => {
  it('accepts a tick, an array and an envelope with an id', () => {
    expect(parseBatch('{"symbol":"A"}', 10)).toEqual({ ok: true, items: [{ symbol: 'A' }], id: undefined, time: undefined });
    expect(parseBatch('[{"symbol":"A"},{"symbol":"B"}]', 10)).toMatchObject({ ok: true, items: [{ symbol: 'A' }, { symbol: 'B' }] });
    expect(parseBatch('{"id":"x7","ticks":[1,2]}', 10)).toEqual({ ok: true, items: [1, 2], id: 'x7', time: undefined });
    expect(parseBatch('{"time":1700000000000.5,"ticks":[]}', 10)).toMatchObject({ ok: true, time: 1700000000000.5 });
    expect(parseBatch('[]', 10)).toEqual({ ok: true, items: [], id: undefined, time: undefined });
  });

  it('refuses malformed JSON, wrong shapes and oversized batches as a whole', () => {
    expect(parseBatch('{"symbol":', 10)).toMatchObject({ ok: false, reason: 'malformedJson', error: expect.stringContaining('malformed JSON') });
    expect(parseBatch('[{"bid":NaN}]', 10)).toMatchObject({ ok: false, reason: 'malformedJson' });
    expect(parseBatch('"AAPL"', 10)).toMatchObject({ ok: false, reason: 'badBatch' });
    expect(parseBatch('{"id":3,"ticks":{}}', 10)).toMatchObject({ ok: false, reason: 'badBatch', id: 3 });
    expect(parseBatch('{"time":"now","ticks":[]}', 10)).toMatchObject({ ok: false, reason: 'badBatch', error: expect.stringContaining('"time" must be') });
    // Nesting that JSON.stringify (the reply) cannot take: refused, not echoed (it crashed the engine).
    expect(parseBatch(`{"id":${'['.repeat(33)}${']'.repeat(33)},"ticks":[]}`, 10)).toEqual({ ok: false, reason: 'badBatch', error: expect.stringContaining('deeper than 32 levels'), id: undefined });
    expect(parseBatch(`{"id":${'['.repeat(32)}${']'.repeat(32)},"ticks":[]}`, 10)).toMatchObject({ ok: true });
    expect(parseBatch(`{"time":${'['.repeat(9000)}${']'.repeat(9000)},"ticks":[]}`, 10)).toMatchObject({ ok: false, reason: 'badBatch', error: expect.stringContaining('got an array') });
    const big = parseBatch(JSON.stringify(Array.from({ length: 11 }, () => ({}))), 10);
    expect(big).toMatchObject({ ok: false, reason: 'oversizedBatch', error: 'batch of 11 ticks exceeds the limit of 10: split it (or raise TIDEMARK_PE_MAX_BATCH)' });
  });
});
