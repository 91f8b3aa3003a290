/**
 * The dispatcher against every example of the JSON-RPC 2.0 specification, section 7
 * (https://www.jsonrpc.org/specification#examples), with the specification's own methods
 * (subtract, sum, update, notify_hello, get_data), request and response text verbatim;
 * then the error cases and a fuzz of arbitrary input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dispatch, type MethodTable, type RpcMethod, type RpcReply } from './dispatch.ts';
import { RpcError } from './protocol.ts';

const notified: unknown[] = [];

/** The specification's example methods. */
const SPEC_METHODS: MethodTable = new Map<string, RpcMethod>([
  [
    'subtract',
    (p) => {
      if (Array.isArray(p)) return (p[0] as number) - (p[1] as number);
      const { minuend, subtrahend } = p as { minuend: number; subtrahend: number };
      return minuend - subtrahend;
    },
  ],
  ['sum', (p) => (p as number[]).reduce((a, b) => a + b, 0)],
  ['update', (p) => void notified.push(p)],
  ['notify_hello', (p) => void notified.push(p)],
  ['get_data', () => ['hello', 5]],
]);

const LIMITS = { maxBatch: 100 };

async function call(text: string, methods: MethodTable = SPEC_METHODS): Promise<RpcReply> {
  return dispatch(text, methods, LIMITS);
}

/** The reply parsed, or undefined when there is no body. */
async function reply(text: string, methods?: MethodTable): Promise<unknown> {
  const r = await call(text, methods);
  return r.body === null ? undefined : JSON.parse(r.body);
}

describe('JSON-RPC 2.0 specification, section 7 examples', () => {
  it('rpc call with positional parameters', async () => {
    expect(await reply('{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}')).toEqual({ jsonrpc: '2.0', result: 19, id: 1 });
    expect(await reply('{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}')).toEqual({ jsonrpc: '2.0', result: -19, id: 2 });
  });

  it('rpc call with named parameters', async () => {
    expect(await reply('{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}')).toEqual({ jsonrpc: '2.0', result: 19, id: 3 });
    expect(await reply('{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}')).toEqual({ jsonrpc: '2.0', result: 19, id: 4 });
  });

  it('a Notification: run, never answered, even for a method that does not exist', async () => {
    notified.length = 0;
    const update = await call('{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}');
    expect(update).toMatchObject({ body: null, answered: 0, notifications: 1 });
    expect(notified).toEqual([[1, 2, 3, 4, 5]]);
    expect(await call('{"jsonrpc": "2.0", "method": "foobar"}')).toMatchObject({ body: null, answered: 0, notifications: 1 });
  });

  it('rpc call of non-existent method', async () => {
    expect(await reply('{"jsonrpc": "2.0", "method": "foobar", "id": "1"}')).toEqual({ jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: '1' });
  });

  it('rpc call with invalid JSON', async () => {
    const r = (await reply('{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]')) as Record<string, unknown>;
    expect(r).toMatchObject({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null });
  });

  it('rpc call with invalid Request object', async () => {
    expect(await reply('{"jsonrpc": "2.0", "method": 1, "params": "bar"}')).toMatchObject({ jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null });
  });

  it('rpc call Batch, invalid JSON', async () => {
    const text = `[
  {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
  {"jsonrpc": "2.0", "method"
]`;
    const r = await reply(text);
    expect(Array.isArray(r)).toBe(false); // one response, not an array
    expect(r).toMatchObject({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null });
  });

  it('rpc call with an empty Array', async () => {
    const r = await reply('[]');
    expect(Array.isArray(r)).toBe(false);
    expect(r).toMatchObject({ jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null });
  });

  it('rpc call with an invalid Batch (but not empty)', async () => {
    expect(await reply('[1]')).toEqual([{ jsonrpc: '2.0', error: expect.objectContaining({ code: -32600, message: 'Invalid Request' }), id: null }]);
  });

  it('rpc call with invalid Batch', async () => {
    const invalid = { jsonrpc: '2.0', error: expect.objectContaining({ code: -32600, message: 'Invalid Request' }), id: null };
    expect(await reply('[1,2,3]')).toEqual([invalid, invalid, invalid]);
  });

  it('rpc call Batch', async () => {
    const text = `[
        {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
        {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
        {"foo": "boo"},
        {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
        {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
    ]`;
    const r = await call(text);
    expect(JSON.parse(r.body!)).toEqual([
      { jsonrpc: '2.0', result: 7, id: '1' },
      { jsonrpc: '2.0', result: 19, id: '2' },
      { jsonrpc: '2.0', error: expect.objectContaining({ code: -32600, message: 'Invalid Request' }), id: null },
      { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: '5' },
      { jsonrpc: '2.0', result: ['hello', 5], id: '9' },
    ]);
    expect(r).toMatchObject({ answered: 5, notifications: 1, batch: true, errorCodes: [-32600, -32601] });
  });

  it('rpc call Batch (all notifications): nothing is returned', async () => {
    const r = await call(`[
        {"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}
    ]`);
    expect(r).toEqual({ body: null, answered: 0, notifications: 2, errorCodes: [], batch: true });
  });
});

describe('Request object rules (section 4) and errors (section 5.1)', () => {
  const invalid = async (text: string, id: unknown = null): Promise<void> => {
    expect(await reply(text), text).toMatchObject({ jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id });
  };

  it('rejects a wrong or missing "jsonrpc" member', async () => {
    await invalid('{"method": "sum", "params": [1], "id": 1}', 1);
    await invalid('{"jsonrpc": "1.0", "method": "sum", "params": [1], "id": 1}', 1);
    await invalid('{"jsonrpc": 2.0, "method": "sum", "params": [1], "id": 1}', 1);
  });

  it('rejects params that are not structured (a string, a number, null)', async () => {
    await invalid('{"jsonrpc": "2.0", "method": "sum", "params": "bar", "id": 7}', 7);
    await invalid('{"jsonrpc": "2.0", "method": "sum", "params": 3, "id": 7}', 7);
    await invalid('{"jsonrpc": "2.0", "method": "sum", "params": null, "id": 7}', 7);
  });

  it('rejects ids of the wrong type, answering with id null', async () => {
    await invalid('{"jsonrpc": "2.0", "method": "sum", "params": [1], "id": {"a": 1}}');
    await invalid('{"jsonrpc": "2.0", "method": "sum", "params": [1], "id": [1]}');
    await invalid('{"jsonrpc": "2.0", "method": "sum", "params": [1], "id": true}');
  });

  it('rejects a request that is not an object, answering even without id', async () => {
    for (const text of ['1', '"sum"', 'null', 'true']) await invalid(text);
  });

  it('answers a request with id null (it is not a notification)', async () => {
    expect(await reply('{"jsonrpc": "2.0", "method": "sum", "params": [1, 2], "id": null}')).toEqual({ jsonrpc: '2.0', result: 3, id: null });
  });

  it('keeps string, integer and fractional ids exactly', async () => {
    for (const id of ['abc', '', 0, -5, 1.5, 9007199254740991]) {
      expect(await reply(JSON.stringify({ jsonrpc: '2.0', method: 'get_data', id }))).toMatchObject({ id });
    }
  });

  it('does not resolve inherited names: __proto__, constructor, toString are not methods', async () => {
    for (const method of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(await reply(JSON.stringify({ jsonrpc: '2.0', method, id: 1 }))).toMatchObject({ error: { code: -32601 } });
    }
  });

  it('invalid params (-32602) from a method keep their code; other throws become -32603 Internal error', async () => {
    const methods: MethodTable = new Map<string, RpcMethod>([
      ['strict', () => {
        throw new RpcError(-32602, 'Invalid params: "x" must be a number');
      }],
      ['broken', () => {
        throw new TypeError('cannot read properties of undefined');
      }],
      ['rejects', () => Promise.reject(new Error('async failure'))],
      ['cyclic', () => {
        const a: Record<string, unknown> = {};
        a.self = a;
        return a;
      }],
      ['nothing', () => undefined],
    ]);
    expect(await reply('{"jsonrpc":"2.0","method":"strict","id":1}', methods)).toEqual({ jsonrpc: '2.0', error: { code: -32602, message: 'Invalid params: "x" must be a number' }, id: 1 });
    expect(await reply('{"jsonrpc":"2.0","method":"broken","id":2}', methods)).toEqual({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal error', data: 'cannot read properties of undefined' }, id: 2 });
    expect(await reply('{"jsonrpc":"2.0","method":"rejects","id":3}', methods)).toMatchObject({ error: { code: -32603 }, id: 3 });
    expect(await reply('{"jsonrpc":"2.0","method":"cyclic","id":4}', methods)).toMatchObject({ error: { code: -32603 }, id: 4 });
    // A result is always present on success: undefined becomes null (a response without result is invalid).
    expect(await reply('{"jsonrpc":"2.0","method":"nothing","id":5}', methods)).toEqual({ jsonrpc: '2.0', result: null, id: 5 });
    // A failing notification is still not answered.
    expect(await call('{"jsonrpc":"2.0","method":"broken"}', methods)).toMatchObject({ body: null, notifications: 1 });
  });

  it('refuses a batch over the limit with one -32600', async () => {
    const batch = JSON.stringify(Array.from({ length: 3 }, (_, i) => ({ jsonrpc: '2.0', method: 'get_data', id: i })));
    const r = await dispatch(batch, SPEC_METHODS, { maxBatch: 2 });
    expect(JSON.parse(r.body!)).toMatchObject({ error: { code: -32600, data: expect.stringContaining('limit of 2') }, id: null });
    expect((await dispatch(batch, SPEC_METHODS, { maxBatch: 3 })).answered).toBe(3);
  });

  it('is synchronous with synchronous methods and waits for asynchronous ones, keeping batch order', async () => {
    expect(dispatch('{"jsonrpc":"2.0","method":"get_data","id":1}', SPEC_METHODS, LIMITS)).not.toBeInstanceOf(Promise);
    const slow: MethodTable = new Map<string, RpcMethod>([
      ['wait', (p) => new Promise((r) => setTimeout(() => r((p as number[])[0]), (p as number[])[0]))],
    ]);
    const pending = dispatch('[{"jsonrpc":"2.0","method":"wait","params":[20],"id":"a"},{"jsonrpc":"2.0","method":"wait","params":[1],"id":"b"}]', slow, LIMITS);
    expect(pending).toBeInstanceOf(Promise);
    expect(JSON.parse((await pending).body!)).toEqual([
      { jsonrpc: '2.0', result: 20, id: 'a' },
      { jsonrpc: '2.0', result: 1, id: 'b' },
    ]);
  });
});

describe('fuzz: any input gets a well-formed answer and never throws', () => {
  /** Checks one response object against section 5. */
  const wellFormed = (r: Record<string, unknown>): void => {
    expect(r.jsonrpc).toBe('2.0');
    expect(Object.hasOwn(r, 'id')).toBe(true);
    expect(['result' in r, 'error' in r].filter(Boolean)).toHaveLength(1);
    if ('error' in r) {
      const e = r.error as Record<string, unknown>;
      expect(Number.isInteger(e.code)).toBe(true);
      expect(typeof e.message).toBe('string');
    }
  };

  const check = async (text: string): Promise<void> => {
    const r = await dispatch(text, SPEC_METHODS, LIMITS);
    if (r.body === null) {
      expect(r.answered).toBe(0);
      return;
    }
    const parsed = JSON.parse(r.body) as unknown;
    const list = (Array.isArray(parsed) ? parsed : [parsed]) as Record<string, unknown>[];
    expect(list.length).toBe(r.answered);
    list.forEach(wellFormed);
  };

  const request = fc.record(
    {
      jsonrpc: fc.oneof(fc.constant('2.0'), fc.jsonValue()),
      method: fc.oneof(fc.constantFrom('sum', 'subtract', 'get_data', 'update', 'nope'), fc.jsonValue()),
      params: fc.jsonValue(),
      id: fc.jsonValue(),
    },
    { requiredKeys: [] },
  );

  it('arbitrary strings', async () => {
    await fc.assert(fc.asyncProperty(fc.string(), check), { numRuns: 300 });
  });

  it('arbitrary JSON values and request-like objects, single and batched', async () => {
    const one = fc.oneof(fc.jsonValue(), request);
    await fc.assert(
      fc.asyncProperty(fc.oneof(one, fc.array(one, { maxLength: 8 })), (v) => check(JSON.stringify(v) ?? 'null')),
      { numRuns: 500 },
    );
  });
});
