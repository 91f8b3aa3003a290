import { describe, expect, it } from 'vitest';
import { parseStreamRequest } from './params.ts';

const parse = (q: string, header?: string) => parseStreamRequest(new URLSearchParams(q), header);

describe('parseStreamRequest', () => {
  it('applies defaults and marks what was given', () => {
    expect(parse('')).toEqual({ ok: true, value: { rate: 10, size: 64, rateGiven: false, sizeGiven: false, topic: undefined, lastEventId: undefined } });
    expect(parse('rate=2.5&size=0&topic=a.b-c_1')).toMatchObject({ ok: true, value: { rate: 2.5, size: 0, rateGiven: true, sizeGiven: true, topic: 'a.b-c_1' } });
  });

  it('prefers the Last-Event-ID header over the query parameter', () => {
    expect(parse('lastEventId=5', '9')).toMatchObject({ value: { lastEventId: 9 } });
    expect(parse('lastEventId=5', '')).toMatchObject({ value: { lastEventId: 5 } });
  });

  it.each(['rate=0', 'rate=1000.5', 'rate=1e2', 'rate=', 'size=1.5', 'size=65537', 'topic=', `topic=${'a'.repeat(65)}`, 'topic=a/b', 'lastEventId=-1'])(
    'rejects %s',
    (q) => {
      const r = parse(q);
      expect(r.ok).toBe(false);
      const name = q.split('=')[0] === 'lastEventId' ? 'Last-Event-ID' : q.split('=')[0]!;
      expect(!r.ok && r.error).toContain(name);
    },
  );
});
