import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseClientFrame, type ParseResult } from './protocol.ts';

const defaults = { prefetch: 1000, ackTimeoutMs: 30_000 };
const parse = (frame: unknown): ParseResult => parseClientFrame(typeof frame === 'string' ? frame : JSON.stringify(frame), defaults);
const error = (r: ParseResult): string => (r.ok ? '' : r.message);

describe('parseClientFrame', () => {
  it('reads a publish, keeping data as parsed and cid optional', () => {
    expect(parse({ op: 'pub', topic: 'orders.eu', id: 'm-1', cid: 'c:1', data: { n: 1 } })).toEqual({
      ok: true,
      frame: { op: 'pub', topic: 'orders.eu', id: 'm-1', cid: 'c:1', data: { n: 1 } },
    });
    expect(parse({ op: 'pub', topic: 't', id: 'm', data: null })).toMatchObject({ ok: true, frame: { cid: undefined, data: null } });
    // Nesting up to 128 levels, the frame object included, is fine (deeper: see the refusals below).
    let nested: unknown = '[[[{"\\ brackets in a string do not count';
    for (let i = 0; i < 127; i++) nested = [nested];
    expect(parse({ op: 'pub', topic: 't', id: 'm', data: nested })).toMatchObject({ ok: true, frame: { data: nested } });
    expect(parse({ op: 'pub', topic: 't', id: 'm', data: [nested] })).toMatchObject({ ok: false, message: expect.stringContaining('deeper than 128 levels') });
  });

  it('reads a subscribe with defaults and with every option', () => {
    expect(parse({ op: 'sub', topic: 't' })).toEqual({
      ok: true,
      frame: { op: 'sub', topic: 't', group: undefined, durable: undefined, ack: true, prefetch: 1000, ackTimeoutMs: 30_000 },
    });
    expect(parse({ op: 'sub', topic: 't', durable: 'd1', ack: false, prefetch: 5, ackTimeoutMs: 100 })).toMatchObject({
      ok: true,
      frame: { durable: 'd1', ack: false, prefetch: 5, ackTimeoutMs: 100 },
    });
  });

  it('reads plain acks and nacks on the fast path and odd but valid ones on the full path alike', () => {
    expect(parse('{"op":"ack","topic":"t.1","seq":42}')).toEqual({ ok: true, frame: { op: 'ack', topic: 't.1', seqs: [42], batch: false, receipt: false } });
    expect(parse('{"op":"nack","topic":"t","seq":1}')).toEqual({ ok: true, frame: { op: 'nack', topic: 't', seqs: [1], batch: false, receipt: false } });
    expect(parse('{ "seq": 42, "op": "ack", "topic": "t.1" }')).toEqual({ ok: true, frame: { op: 'ack', topic: 't.1', seqs: [42], batch: false, receipt: false } });
    expect(parse('{"op":"ack","topic":"t","seq":0}')).toMatchObject({ ok: false });
    expect(parse('{"op":"ack","topic":"t","seq":01}')).toMatchObject({ ok: false });
  });

  it('reads plain batch acks on the fast path exactly as the full parser does', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), { minLength: 1, maxLength: 1001 }), fc.constantFrom('ack', 'nack'), (seqs, op) => {
        const plain = `{"op":"${op}","topic":"t","seqs":[${seqs.join(',')}]}`;
        expect(parse(plain)).toEqual(parse(`{ ${plain.slice(1)}`));
        expect(parse(plain).ok).toBe(seqs.length <= 1000);
      }),
      { numRuns: 200 },
    );
  });

  it('reads ack, nack (receipt optional) and unsub', () => {
    expect(parse({ op: 'ack', topic: 't', seq: 7 })).toEqual({ ok: true, frame: { op: 'ack', topic: 't', seqs: [7], batch: false, receipt: false } });
    expect(parse({ op: 'ack', topic: 't', seqs: [3, 1, 2], receipt: true })).toEqual({ ok: true, frame: { op: 'ack', topic: 't', seqs: [3, 1, 2], batch: true, receipt: true } });
    expect(parse({ op: 'nack', topic: 't', seq: 1, receipt: true })).toMatchObject({ ok: true, frame: { op: 'nack', receipt: true } });
    expect(parse({ op: 'unsub', topic: 't' })).toEqual({ ok: true, frame: { op: 'unsub', topic: 't' } });
  });

  it.each([
    ['{"op":', 'frame is not valid JSON'],
    ['[1,2]', 'frame must be a JSON object with an "op" field'],
    [{ op: 'publish', topic: 't' }, 'op "publish" is unknown: expected one of pub, sub, ack, nack, unsub'],
    [{ op: 'pub', topic: 't', id: 'm' }, 'pub: data is missing'],
    [{ op: 'pub', topic: 'a b', id: 'm', data: 1 }, 'pub: topic "a b" is invalid: expected 1 to 128 characters from [A-Za-z0-9_.:-]'],
    [{ op: 'pub', topic: 't', data: 1 }, 'pub: id is missing'],
    [{ op: 'pub', topic: 't', id: 'm', cid: 5, data: 1 }, 'pub: cid 5 is invalid'],
    [{ op: 'pub', topic: 'x'.repeat(129), id: 'm', data: 1 }, 'pub: topic'],
    [{ op: 'sub', topic: 't', acks: false }, 'sub: field "acks" is not allowed; sub takes op, topic, group, durable, ack, prefetch, ackTimeoutMs'],
    [{ op: 'sub', topic: 't', group: 'g', durable: 'd' }, 'sub: give either group or durable, not both'],
    [{ op: 'sub', topic: 't', ack: 'yes' }, 'sub: ack "yes" is invalid: expected true or false'],
    [{ op: 'sub', topic: 't', prefetch: 0 }, 'sub: prefetch 0 is invalid: expected an integer from 1 to 65536'],
    [{ op: 'sub', topic: 't', ackTimeoutMs: 5 }, 'sub: ackTimeoutMs 5 is invalid: expected an integer from 10 to 3600000'],
    [{ op: 'ack', topic: 't' }, 'ack: seq is missing: expected an integer from 1 to 9007199254740991 (or seqs, an array, to settle a batch)'],
    [{ op: 'ack', topic: 't', seq: 1, seqs: [1] }, 'ack: give seq (one delivery) or seqs (a batch), not both'],
    [{ op: 'nack', topic: 't', seqs: [] }, 'nack: seqs [] is invalid: expected an array of 1 to 1000 sequence numbers'],
    [{ op: 'ack', topic: 't', seqs: [1, 'x'] }, 'ack: seqs [1,"x"] is invalid'],
    [{ op: 'ack', topic: 't', seqs: Array(1001).fill(1) }, 'ack: seqs'],
    [{ op: 'ack', topic: 't', seq: 1.5 }, 'ack: seq 1.5 is invalid'],
    // JSON.stringify (deliveries, error excerpts) overflows the stack on such nesting: it crashed the broker.
    [`{"op":"pub","topic":"t","id":"m","data":${'['.repeat(128)}${']'.repeat(128)}}`, 'frame nests arrays/objects deeper than 128 levels'],
    [`{"op":"sub","topic":${'['.repeat(9000)}${']'.repeat(9000)}}`, 'frame nests arrays/objects deeper than 128 levels'],
  ])('refuses %j: %s', (frame, message) => {
    const r = parse(frame);
    expect(r.ok).toBe(false);
    expect(error(r)).toContain(message);
  });

  it('reads plain publishes on the fast path exactly as the full parser does, whatever the payload', () => {
    const nameChars = fc.constantFrom(...'abcXYZ019_.:-'.split(''));
    const name = fc.string({ unit: nameChars, minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(name, name, fc.option(name, { nil: undefined }), fc.jsonValue(), fc.string(), (topic, id, cid, data, junk) => {
        const plain = `{"op":"pub","topic":"${topic}","id":"${id}"${cid === undefined ? '' : `,"cid":"${cid}"`},"data":${JSON.stringify(data)}}`;
        // The same frame with a space after the brace takes the full JSON.parse path.
        const full = parseClientFrame(`{ ${plain.slice(1)}`, defaults);
        const fast = parseClientFrame(plain, defaults, Buffer.from(plain));
        expect(fast).toEqual(full);
        expect(fast).toMatchObject({ ok: true, frame: { topic, id, cid } });
        // Trailing junk, a broken payload or an extra field must not slip through the fast path.
        for (const bad of [`${plain}${junk}x`, plain.replace('"data":', '"data":}'), `${plain.slice(0, -1)},"extra":1}`]) {
          const r = parseClientFrame(bad, defaults, Buffer.from(bad));
          expect(r.ok).toBe(false);
          expect(r.ok).toBe(parseClientFrame(`{ ${bad.slice(1)}`, defaults).ok);
        }
      }),
    );
  });

  it('returns the id and topic of a refused publish so the client can match the error', () => {
    expect(parse({ op: 'pub', topic: 't', id: 'm-9', cid: '', data: 1 })).toMatchObject({ ok: false, id: 'm-9', topic: 't' });
  });
});
