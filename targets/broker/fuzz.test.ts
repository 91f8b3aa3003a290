/**
 * Property-based fuzzing of the broker's WebSocket frame handling, over a real WebSocket to an
 * in-process broker (the parser's own properties are in protocol.test.ts; this file fuzzes the whole
 * path: ws framing, size checks, parser, session, backend, replies).
 *
 * Bounded: a fixed seed (TIDEMARK_FUZZ_SEED overrides it; every failure prints the seed and the
 * shrunk counterexample), a fixed number of runs per property and a time limit per property.
 * Each run sends its frames, then a sentinel publish, and waits for the sentinel's confirm: the
 * replies in between are the answers to exactly those frames, in order (the memory backend answers
 * synchronously, one reply per frame except plain acks).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { WebSocket } from 'ws';
import { whileServing } from '../common/abuse.ts';
import { NO_FAULTS } from '../common/faults.ts';
import { createBrokerServer, HARD_FRAME_FACTOR, type BrokerServer } from './server.ts';

const SEED = Number(process.env.TIDEMARK_FUZZ_SEED ?? 20_240_917);
/**
 * A frame limit below the default 64 KiB (tested in bad-input.test.ts) so "huge" strings cross it cheaply, yet
 * above 8 KiB so nesting deeper than JSON.stringify's stack (~4000 levels) reaches the parser.
 */
const MAX_FRAME = 16_384;
/** Per property: wall-clock bound (fast-check stops starting runs after it) and per-run bound. */
const PROPERTY_TIME_MS = 8000;
const RUN_TIMEOUT_MS = 3000;
const OPS = ['pub', 'sub', 'ack', 'nack', 'unsub'];
const NAME = /^[A-Za-z0-9_.:-]{1,128}$/;
const ERROR_CODES = new Set(['bad_frame', 'too_large', 'backlog_full', 'injected', 'limit', 'conflict', 'not_subscribed', 'shutting_down']);

// ---------------------------------------------------------------------------------------------
// Reply validation: every frame the broker sends must be one of the documented shapes (README.md).
// ---------------------------------------------------------------------------------------------

type Reply = Record<string, unknown> & { op: string };

const isName = (v: unknown): boolean => typeof v === 'string' && NAME.test(v);
const isPosInt = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 1;
const isCount = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const isTime = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v > 1.6e12;

/** Fields allowed per op with their checks; `?` marks optional ones. */
const SHAPES: Record<string, Record<string, (v: unknown) => boolean>> = {
  error: { code: (v) => ERROR_CODES.has(v as string), message: (v) => typeof v === 'string' && v.length > 0, 'id?': (v) => typeof v === 'string' && v.length <= 128, 'topic?': (v) => typeof v === 'string' && v.length <= 128, 'seq?': isPosInt },
  ok: { id: isName, seq: isPosInt, t: isTime },
  msg: { topic: isName, seq: isPosInt, id: isName, 'cid?': isName, t: isTime, data: () => true, 'attempt?': (v) => Number.isSafeInteger(v) && (v as number) >= 2 },
  subscribed: { topic: isName, mode: (v) => v === 'ack' || v === 'noack', prefetch: isPosInt, ackTimeoutMs: isPosInt, 'group?': isName, 'durable?': isName, resumed: (v) => typeof v === 'boolean', backlog: isCount },
  unsubscribed: { topic: isName },
};
const RECEIPT_SINGLE = { topic: isName, seq: isPosInt, known: (v: unknown) => typeof v === 'boolean' };
const RECEIPT_BATCH = { topic: isName, count: isPosInt, known: isCount };

function checkShape(o: Record<string, unknown>, shape: Record<string, (v: unknown) => boolean>): string | undefined {
  for (const [key, check] of Object.entries(shape)) {
    const name = key.replace('?', '');
    if (!(name in o)) {
      if (key.endsWith('?')) continue;
      return `missing ${name}`;
    }
    if (!check(o[name])) return `bad ${name}: ${JSON.stringify(o[name])?.slice(0, 80)}`;
  }
  const known = new Set(Object.keys(shape).map((k) => k.replace('?', '')));
  for (const key of Object.keys(o)) if (key !== 'op' && !known.has(key)) return `unknown field ${key}`;
  return undefined;
}

/** Parses and validates one broker frame; throws naming what is wrong. */
function validateReply(raw: { data: Buffer; binary: boolean }): Reply {
  if (raw.binary) throw new Error('broker sent a binary frame');
  const text = raw.data.toString('utf8');
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    throw new Error(`broker sent a frame that is not JSON: ${text.slice(0, 120)}`);
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error(`broker frame is not an object: ${text.slice(0, 120)}`);
  const r = o as Reply;
  let problem: string | undefined;
  if (r.op === 'acked' || r.op === 'nacked') problem = 'count' in r ? checkShape(r, RECEIPT_BATCH) : checkShape(r, RECEIPT_SINGLE);
  else if (typeof r.op === 'string' && Object.hasOwn(SHAPES, r.op)) problem = checkShape(r, SHAPES[r.op]!);
  else problem = `unknown op ${JSON.stringify(r.op)}`;
  if (problem !== undefined) throw new Error(`malformed ${String(r.op)} frame (${problem}): ${text.slice(0, 200)}`);
  return r;
}

// ---------------------------------------------------------------------------------------------
// A raw recording connection (replies kept as bytes, validated by the test, never parsed in a handler).
// ---------------------------------------------------------------------------------------------

interface Conn {
  ws: WebSocket;
  replies: { data: Buffer; binary: boolean }[];
  closed: { code: number } | undefined;
  /** Called on every reply and on close. */
  wake: () => void;
}

const conns = new Set<Conn>();

function open(url: string): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 0 });
    const c: Conn = { ws, replies: [], closed: undefined, wake: () => {} };
    conns.add(c);
    ws.on('message', (data, binary) => {
      c.replies.push({ data: Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]), binary });
      c.wake();
    });
    ws.on('close', (code) => {
      c.closed = { code };
      conns.delete(c);
      c.wake();
    });
    ws.on('error', () => {}); // close follows
    ws.once('open', () => resolve(c));
    ws.once('unexpected-response', () => reject(new Error('upgrade refused')));
    setTimeout(() => reject(new Error('connect timed out')), 3000).unref();
  });
}

/** Waits until `done()` holds, checked on each reply/close; rejects after `timeoutMs`. */
function until(c: Conn, done: () => boolean, what: string, timeoutMs = RUN_TIMEOUT_MS): Promise<void> {
  if (done()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      c.wake = () => {};
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; closed=${JSON.stringify(c.closed)} last replies: ${c.replies.slice(-3).map((r) => r.data.toString('utf8').slice(0, 100)).join(' | ')}`));
    }, timeoutMs);
    c.wake = () => {
      if (!done()) return;
      clearTimeout(timer);
      c.wake = () => {};
      resolve();
    };
  });
}

let sentinelN = 0;
/** Text frames with invalid UTF-8 sent (each closed with 1007, then a new connection was opened). */
let invalidUtf8Closes = 0;

/**
 * Sends `frames` then a sentinel publish and returns the validated replies to `frames` (the sentinel's
 * confirm removed). Throws if the connection closes or a reply is malformed.
 */
async function exchange(c: Conn, frames: { data: string | Buffer; binary?: boolean }[]): Promise<Reply[]> {
  const from = c.replies.length;
  for (const f of frames) c.ws.send(f.data, { binary: f.binary ?? false });
  const id = `sentinel-${++sentinelN}`;
  c.ws.send(`{"op":"pub","topic":"fz.sentinel","id":"${id}","data":0}`);
  const isSentinel = (r: { data: Buffer }): boolean => r.data.includes(`"id":"${id}"`);
  await until(c, () => c.closed !== undefined || c.replies.slice(from).some(isSentinel), `the confirm of ${id}`);
  if (c.closed !== undefined) throw new Error(`the broker closed the connection with ${c.closed.code}`);
  const replies = c.replies.slice(from).map(validateReply);
  const last = replies.pop()!;
  expect(last).toMatchObject({ op: 'ok', id });
  return replies;
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/** A frame as ordered [key, JSON text of the value] pairs, so raw tokens, duplicates and `__proto__` can be written. */
type Entries = [string, string][];
const j = (v: unknown): string => JSON.stringify(v);
const serialize = (e: Entries, spaced: boolean): string => (spaced ? `{ ${e.map(([k, v]) => `${j(k)} : ${v}`).join(' , ')} }` : `{${e.map(([k, v]) => `${j(k)}:${v}`).join(',')}}`);

const nameArb = fc.string({ unit: fc.constantFrom(...'abcXYZ0189_.:-'.split('')), minLength: 1, maxLength: 24 });
const dataArb = fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' });

/** Valid frames of every op (fields in the documented order, so the fast paths are hit too). */
const validFrame: fc.Arbitrary<{ op: string; e: Entries }> = fc.oneof(
  fc.record({ topic: nameArb, id: nameArb, cid: fc.option(nameArb, { nil: undefined }), data: dataArb }).map(({ topic, id, cid, data }) => ({
    op: 'pub',
    e: [['op', j('pub')], ['topic', j(topic)], ['id', j(id)], ...(cid === undefined ? [] : [['cid', j(cid)] as [string, string]]), ['data', j(data)]] as Entries,
  })),
  fc
    .record({
      topic: nameArb,
      who: fc.option(fc.tuple(fc.constantFrom('group', 'durable'), nameArb), { nil: undefined }),
      ack: fc.option(fc.boolean(), { nil: undefined }),
      prefetch: fc.option(fc.integer({ min: 1, max: 65_536 }), { nil: undefined }),
      ackTimeoutMs: fc.option(fc.integer({ min: 10, max: 3_600_000 }), { nil: undefined }),
    })
    .map(({ topic, who, ack, prefetch, ackTimeoutMs }) => {
      const e: Entries = [['op', j('sub')], ['topic', j(topic)]];
      if (who !== undefined) e.push([who[0], j(who[1])]);
      if (ack !== undefined) e.push(['ack', j(ack)]);
      if (prefetch !== undefined) e.push(['prefetch', j(prefetch)]);
      if (ackTimeoutMs !== undefined) e.push(['ackTimeoutMs', j(ackTimeoutMs)]);
      return { op: 'sub', e };
    }),
  fc
    .record({
      op: fc.constantFrom('ack', 'nack'),
      topic: nameArb,
      seqs: fc.oneof(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.array(fc.integer({ min: 1, max: 1e6 }), { minLength: 1, maxLength: 20 })),
      receipt: fc.option(fc.boolean(), { nil: undefined }),
    })
    .map(({ op, topic, seqs, receipt }) => {
      const e: Entries = [['op', j(op)], ['topic', j(topic)], typeof seqs === 'number' ? ['seq', j(seqs)] : ['seqs', j(seqs)]];
      if (receipt !== undefined) e.push(['receipt', j(receipt)]);
      return { op, e };
    }),
  nameArb.map((topic) => ({ op: 'unsub', e: [['op', j('unsub')], ['topic', j(topic)]] as Entries })),
);

/** Raw number-ish tokens, none of them a valid integer for seq (>= 1), prefetch (>= 1) or ackTimeoutMs (>= 10). */
const badNumberToken = fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e400', '-1e400', '-0', '0', '-1', '01', '0x1', '+1', '.5', '1.', '1.5', '"1"', '1e20', '9007199254740993', 'null', 'true', '[]', '{}', '[1]');
const nonString = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(nameArb, { maxLength: 2 }), fc.dictionary(nameArb, nameArb, { maxKeys: 2 })).map(j);
/** Strings that are not names: empty, too long, or with at least one char outside [A-Za-z0-9_.:-] (unicode, spaces, quotes, controls). */
const badNameString = fc
  .oneof(
    fc.constant(''),
    fc.integer({ min: 129, max: 20_000 }).map((n) => 'a'.repeat(n)),
    fc.tuple(fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 })).map(([a, b, c]) => a + b + c),
    fc.constantFrom(' ', 'a b', 'tópic', '日本', '😀', '\u0000', '\n', '"', '\\', '\ud800', 'a/b', '*', '#'),
  )
  .filter((s) => !NAME.test(s))
  .map(j);
const badName = fc.oneof(nonString, badNameString);
const badBool = fc.oneof(fc.integer(), fc.constant(null), fc.string({ maxLength: 5 }), fc.constantFrom('"true"', '0', '1', '[]', '{}').map((t) => JSON.parse(t) as unknown)).map(j);
const badInt = (min: number, max: number): fc.Arbitrary<string> =>
  fc.oneof(
    badNumberToken.filter((t) => {
      try {
        const v = JSON.parse(t) as unknown;
        return !(Number.isInteger(v) && (v as number) >= min && (v as number) <= max);
      } catch {
        return true; // not JSON at all: invalid too
      }
    }),
    fc.oneof(fc.integer({ min: -1e9, max: min - 1 }), max < Number.MAX_SAFE_INTEGER ? fc.integer({ min: max + 1, max: Number.MAX_SAFE_INTEGER }) : fc.constantFrom(2 ** 53, 1e300), fc.double({ noInteger: true })).map(j),
    nonString.filter((t) => !/^-?\d+$/.test(t)),
  );
const badSeqs = fc.oneof(
  fc.constant('[]'),
  fc.integer({ min: 1001, max: 1100 }).map((n) => j(Array(n).fill(1))),
  fc.tuple(fc.array(fc.integer({ min: 1, max: 100 }), { maxLength: 5 }), badNumberToken.filter((t) => !/^(1e20|9007199254740993|\[1\])$/.test(t))).map(([ok, bad]) => `[${[...ok.map(String), bad].join(',')}]`),
  fc.constantFrom('1', '"1,2"', 'null', '{"0":1}'),
);

/** Which checks each field takes, for mutations. */
const FIELD_KIND: Record<string, 'name' | 'int' | 'bool' | 'seqs' | 'data'> = {
  topic: 'name', id: 'name', cid: 'name', group: 'name', durable: 'name', ack: 'bool', receipt: 'bool', prefetch: 'int', ackTimeoutMs: 'int', seq: 'int', seqs: 'seqs', data: 'data',
};
const INT_RANGE: Record<string, [number, number]> = { prefetch: [1, 65_536], ackTimeoutMs: [10, 3_600_000], seq: [1, Number.MAX_SAFE_INTEGER] };
const REQUIRED: Record<string, string[]> = { pub: ['op', 'topic', 'id', 'data'], sub: ['op', 'topic'], ack: ['op', 'topic'], nack: ['op', 'topic'], unsub: ['op', 'topic'] };
const ALLOWED: Record<string, string[]> = {
  pub: ['op', 'topic', 'id', 'cid', 'data'],
  sub: ['op', 'topic', 'group', 'durable', 'ack', 'prefetch', 'ackTimeoutMs'],
  ack: ['op', 'topic', 'seq', 'seqs', 'receipt'],
  nack: ['op', 'topic', 'seq', 'seqs', 'receipt'],
  unsub: ['op', 'topic'],
};

function badValueFor(field: string): fc.Arbitrary<string> {
  const kind = FIELD_KIND[field];
  if (kind === 'name') return badName;
  if (kind === 'bool') return badBool;
  if (kind === 'seqs') return badSeqs;
  if (kind === 'int') return badInt(...INT_RANGE[field]!);
  // data takes any JSON value: only too deep a nesting is wrong (over 128 levels, README "Limits").
  return fc.integer({ min: 129, max: 8000 }).map((d) => '['.repeat(d) + ']'.repeat(d));
}

type Mutated = { text: string; what: string };

/** A valid frame with exactly one thing wrong. */
const nearValid: fc.Arbitrary<Mutated> = fc
  .tuple(validFrame, fc.nat(), fc.boolean(), fc.constantFrom('missing', 'badValue', 'badValue', 'unknownField', 'unknownOp', 'conflict', 'duplicateBad'))
  .chain(([f, pick, spaced, how]) => {
    const fields = f.e.map(([k]) => k);
    const done = (e: Entries, what: string): Mutated => ({ text: serialize(e, spaced), what: `${f.op}: ${what}` });
    switch (how) {
      case 'missing': {
        const req = f.op === 'ack' || f.op === 'nack' ? [...REQUIRED[f.op]!, fields.includes('seq') ? 'seq' : 'seqs'] : REQUIRED[f.op]!;
        const drop = req[pick % req.length]!;
        return fc.constant(done(f.e.filter(([k]) => k !== drop), `missing ${drop}`));
      }
      case 'badValue': {
        const candidates = [...new Set([...fields.filter((k) => k !== 'op'), ...ALLOWED[f.op]!.filter((k) => k !== 'op' && k !== 'seq' && k !== 'seqs')])];
        const field = candidates[pick % candidates.length]!;
        return badValueFor(field).map((v) => {
          const e = f.e.some(([k]) => k === field) ? f.e.map(([k, old]): [string, string] => [k, k === field ? v : old]) : [...f.e, [field, v] as [string, string]];
          return done(e, `${field}=${v.slice(0, 40)}`);
        });
      }
      case 'unknownField':
        return fc
          .tuple(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'toString', 'Topic', 'acks', 'seq ', 'OP')), dataArb)
          .filter(([k]) => !ALLOWED[f.op]!.includes(k))
          .map(([k, v]) => done([...f.e, [k, j(v)]], `unknown field ${j(k)}`));
      case 'unknownOp':
        return fc
          .oneof(fc.string({ maxLength: 10 }).filter((s) => !OPS.includes(s)).map(j), fc.constantFrom('"PUB"', '"publish"', '"constructor"', '"__proto__"', '"hasOwnProperty"', '1', 'null', '["pub"]'))
          .map((op) => done(f.e.map(([k, v]): [string, string] => [k, k === 'op' ? op : v]), `op=${op}`));
      case 'conflict':
        if (f.op === 'sub') return nameArb.map((n) => done([...f.e.filter(([k]) => k !== 'group' && k !== 'durable'), ['group', j(n)], ['durable', j(n)]], 'group and durable'));
        if (f.op === 'ack' || f.op === 'nack') return fc.constant(done([...f.e.filter(([k]) => k !== 'seq' && k !== 'seqs'), ['seq', '1'], ['seqs', '[1]']], 'seq and seqs'));
        return fc.constant(done([...f.e, ['extra', '1']], 'extra field'));
      default: {
        // A repeated key whose last (winning) value is wrong.
        const field = fields.filter((k) => k !== 'op' && k !== 'data')[pick % Math.max(1, fields.length - 1)] ?? 'topic';
        return badValueFor(field).map((v) => done([...f.e, [field, v]], `duplicate ${field}=${v.slice(0, 40)}`));
      }
    }
  });

/** What a frame that is refused as a whole must get: too_large over the frame limit, else bad_frame. */
const refusalCode = (bytes: number): string => (bytes > MAX_FRAME ? 'too_large' : 'bad_frame');

// ---------------------------------------------------------------------------------------------
// The suite
// ---------------------------------------------------------------------------------------------

let server: BrokerServer;
let url: string;
let fuzz: Conn;
const processErrors: string[] = [];
const onUnhandled = (reason: unknown): void => void processErrors.push(`unhandledRejection: ${String(reason)}`);
const onUncaught = (err: Error): void => void processErrors.push(`uncaughtException: ${err.stack ?? String(err)}`);
/** Runs per property, as executed (printed at the end for the report). */
const executed: Record<string, { numRuns: number; numSkips?: number; seed: number; interrupted: boolean }> = {};

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUncaught);
  server = createBrokerServer({ scanMs: 10, maxFrameBytes: MAX_FRAME, faults: NO_FAULTS });
  const { port } = await server.listen(0);
  url = `ws://127.0.0.1:${port}/ws`;
  fuzz = await open(url);
});

afterEach(() => {
  expect(processErrors).toEqual([]);
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUncaught);
  for (const c of [...conns]) c.ws.terminate();
  await server?.close();
  console.log(`broker fuzz (seed ${SEED}): ${JSON.stringify(executed)}`);
});

/** The fuzz connection, reopened if a property closed it on purpose (invalid UTF-8). */
async function conn(): Promise<Conn> {
  if (fuzz.closed !== undefined || fuzz.ws.readyState !== WebSocket.OPEN) fuzz = await open(url);
  return fuzz;
}

/** Runs a property with the fixed seed and bounds; throws fast-check's report (seed, counterexample) on failure. */
async function check<Ts extends [unknown, ...unknown[]]>(label: string, prop: fc.IAsyncPropertyWithHooks<Ts>, numRuns: number): Promise<void> {
  const details = await fc.check(prop, { seed: SEED, numRuns, endOnFailure: false, plugins: [fc.interruptAfterTimeLimit(PROPERTY_TIME_MS), fc.timeout(RUN_TIMEOUT_MS + 1000)] });
  executed[label] = { numRuns: details.numRuns, numSkips: details.numSkips, seed: details.seed, interrupted: details.interrupted };
  if (details.failed) throw new Error(`${label}: reproduce with TIDEMARK_FUZZ_SEED=${details.seed}\n${fc.defaultReportMessage(details) ?? ''}\n${String(details.errorInstance)}`);
  expect(details.numRuns).toBeGreaterThan(0);
}

/** Asserts `replies` is exactly one error with `code`. */
function oneError(replies: Reply[], code: string, input: string): void {
  if (replies.length !== 1 || replies[0]!.op !== 'error' || replies[0]!.code !== code) {
    throw new Error(`expected one ${code} error for ${input.slice(0, 120)}, got ${JSON.stringify(replies).slice(0, 300)}`);
  }
}

describe('broker frame fuzzing over a real WebSocket', () => {
  it('arbitrary bytes in text frames: bad_frame for valid UTF-8, close 1007 for invalid UTF-8, never a crash', async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 200 }).map((s) => new Uint8Array(Buffer.from(s, 'utf8'))),
      fc.tuple(fc.constantFrom('{"op":"pub","topic":"t","id":"m","data":"', '{"op":"ack","topic":"t","seq":', '{"op":"sub","topic":"'), fc.uint8Array({ minLength: 1, maxLength: 40 })).map(([p, b]) => new Uint8Array(Buffer.concat([Buffer.from(p), b]))),
    );
    await check(
      'arbitrary bytes (text frames)',
      fc.asyncProperty(bytes, async (arr) => {
        const buf = Buffer.from(arr);
        if (!isUtf8(buf)) {
          // ws validates text frames: invalid UTF-8 is a protocol error, close 1007 (README "Bad input").
          const c = await conn();
          const before = c.replies.length;
          c.ws.send(buf, { binary: false });
          await until(c, () => c.closed !== undefined, 'the 1007 close');
          expect(c.closed!.code).toBe(1007);
          expect(c.replies.length).toBe(before); // no frame answers it: the connection is closed
          invalidUtf8Closes++;
          return;
        }
        const text = buf.toString('utf8');
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        fc.pre(!(typeof parsed === 'object' && parsed !== null && OPS.includes((parsed as { op?: string }).op ?? '')));
        oneError(await exchange(await conn(), [{ data: buf }]), refusalCode(buf.length), text);
      }),
      600,
    );
    executed['arbitrary bytes: of which invalid UTF-8 (closed 1007)'] = { numRuns: invalidUtf8Closes, seed: SEED, interrupted: false };
    expect(invalidUtf8Closes).toBeGreaterThan(0);
  });

  it('arbitrary JSON values (and deep nesting) get one bad_frame error each', async () => {
    const values = fc.oneof(
      fc.jsonValue({ stringUnit: 'binary' }).map(j),
      fc.anything({ withNullPrototype: false }).map((v) => j(v) ?? 'null'),
      fc.tuple(fc.integer({ min: 1, max: 8000 }), fc.constantFrom('[', '{"a":')).map(([d, open]) => open.repeat(d) + (open === '[' ? ']' : '1}').repeat(d)),
      fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 })).map((o) => j({ op: 'pub', ...o, topic: 1 })),
    );
    await check(
      'arbitrary JSON values',
      fc.asyncProperty(values, async (text) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          /* fc.anything can give undefined-ish text */
        }
        // An object with a known op could be a valid frame (left to the near-valid property), unless its topic is 1.
        const o = parsed as { op?: unknown; topic?: unknown } | null;
        const knownOp = typeof o === 'object' && o !== null && !Array.isArray(o) && OPS.includes(String(o.op));
        fc.pre(!knownOp || o!.topic === 1);
        oneError(await exchange(await conn(), [{ data: text }]), refusalCode(Buffer.byteLength(text)), text);
      }),
      600,
    );
  });

  it('near-valid frames (one field wrong, missing, unknown, duplicated, conflicting, too deep) get one error each', async () => {
    await check(
      'near-valid frames',
      fc.asyncProperty(nearValid, async ({ text, what }) => {
        const bytes = Buffer.byteLength(text);
        fc.pre(bytes <= MAX_FRAME * HARD_FRAME_FACTOR);
        const replies = await exchange(await conn(), [{ data: text }]);
        oneError(replies, refusalCode(bytes), `${what}: ${text}`);
        // The error names the frame's id and topic when they could be read (README "Protocol").
        const err = replies[0]!;
        if (err.code === 'bad_frame' && err.id !== undefined) expect(text).toContain(JSON.stringify(err.id).slice(1, -1).slice(0, 20));
      }),
      1000,
    );
  });

  it('binary frames get one bad_frame error each, whatever they hold', async () => {
    const payload = fc.oneof(fc.uint8Array({ maxLength: 2000 }), validFrame.map((f) => new Uint8Array(Buffer.from(serialize(f.e, false)))));
    await check(
      'binary frames',
      fc.asyncProperty(payload, async (arr) => {
        const buf = Buffer.from(arr);
        const replies = await exchange(await conn(), [{ data: buf, binary: true }]);
        oneError(replies, 'bad_frame', `binary ${buf.length} bytes`);
        expect(String(replies[0]!.message)).toContain('binary');
      }),
      400,
    );
  });

  it('mixed sequences: invalid frames get errors while valid ones interleaved get confirms and deliveries, in order, none lost', async () => {
    const sub = await open(url);
    const live = 'fz.live';
    sub.ws.send(j({ op: 'sub', topic: live, ack: false }));
    await until(sub, () => sub.replies.length === 1, 'subscribed');
    expect(validateReply(sub.replies[0]!)).toMatchObject({ op: 'subscribed', topic: live, mode: 'noack' });
    let liveSeq = 0;
    let badSent = 0;
    let pubN = 0;
    let tmpN = 0;
    const sentLive: { id: string; data: string }[] = [];

    type Item =
      | { kind: 'pubLive'; data: unknown; cid: string | undefined; spaced: boolean }
      | { kind: 'pubVoid'; data: unknown }
      | { kind: 'subUnsub' }
      | { kind: 'ackUnsubscribed'; seq: number }
      | { kind: 'pubLiveDeep'; depth: number }
      | { kind: 'bad'; text: string; binary: boolean };
    const item: fc.Arbitrary<Item> = fc.oneof(
      { weight: 4, arbitrary: fc.record({ data: dataArb, cid: fc.option(nameArb, { nil: undefined }), spaced: fc.boolean() }).map((r) => ({ kind: 'pubLive' as const, ...r })) },
      { weight: 1, arbitrary: dataArb.map((data) => ({ kind: 'pubVoid' as const, data })) },
      { weight: 1, arbitrary: fc.constant({ kind: 'subUnsub' as const }) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 1e6 }).map((seq) => ({ kind: 'ackUnsubscribed' as const, seq })) },
      // A publish to the subscribed topic whose data nests too deep: refused (before this, its delivery crashed the broker).
      { weight: 1, arbitrary: fc.integer({ min: 129, max: 8000 }).map((depth) => ({ kind: 'pubLiveDeep' as const, depth })) },
      { weight: 4, arbitrary: nearValid.filter((m) => Buffer.byteLength(m.text) <= MAX_FRAME * HARD_FRAME_FACTOR).map((m) => ({ kind: 'bad' as const, text: m.text, binary: false })) },
      { weight: 1, arbitrary: fc.jsonValue().map((v) => ({ kind: 'bad' as const, text: j([v]), binary: false })) },
      { weight: 1, arbitrary: validFrame.map((f) => ({ kind: 'bad' as const, text: serialize(f.e, false), binary: true })) },
    );

    await check(
      'mixed sequences',
      fc.asyncProperty(fc.array(item, { minLength: 1, maxLength: 30 }), async (items) => {
        const c = await conn();
        const frames: { data: string; binary: boolean }[] = [];
        type Expect = (r: Reply) => boolean;
        const expected: { what: string; ok: Expect }[] = [];
        const liveBefore = sentLive.length;
        for (const it of items) {
          if (it.kind === 'pubLive' || it.kind === 'pubVoid') {
            const id = `v-${++pubN}`;
            const topic = it.kind === 'pubLive' ? live : 'fz.void';
            const cid = it.kind === 'pubLive' ? it.cid : undefined;
            const spaced = it.kind === 'pubLive' && it.spaced;
            const e: Entries = [['op', j('pub')], ['topic', j(topic)], ['id', j(id)], ...(cid === undefined ? [] : [['cid', j(cid)] as [string, string]]), ['data', j(it.data)]];
            frames.push({ data: serialize(e, spaced), binary: false });
            if (it.kind === 'pubLive') {
              const seq = ++liveSeq;
              sentLive.push({ id, data: j(JSON.parse(j(it.data))) });
              expected.push({ what: `ok ${id} seq ${seq}`, ok: (r) => r.op === 'ok' && r.id === id && r.seq === seq });
            } else expected.push({ what: `ok ${id}`, ok: (r) => r.op === 'ok' && r.id === id });
          } else if (it.kind === 'subUnsub') {
            const topic = `fz.tmp.${++tmpN}`;
            frames.push({ data: j({ op: 'sub', topic }), binary: false }, { data: j({ op: 'unsub', topic }), binary: false });
            expected.push({ what: `subscribed ${topic}`, ok: (r) => r.op === 'subscribed' && r.topic === topic && r.mode === 'ack' && r.resumed === false });
            expected.push({ what: `unsubscribed ${topic}`, ok: (r) => r.op === 'unsubscribed' && r.topic === topic });
          } else if (it.kind === 'pubLiveDeep') {
            badSent++;
            const id = `deep-${++pubN}`;
            frames.push({ data: `{"op":"pub","topic":"${live}","id":"${id}","data":${'['.repeat(it.depth)}${']'.repeat(it.depth)}}`, binary: false });
            expected.push({ what: `bad_frame for deep ${id}`, ok: (r) => r.op === 'error' && r.code === 'bad_frame' });
          } else if (it.kind === 'ackUnsubscribed') {
            frames.push({ data: j({ op: 'ack', topic: 'fz.nobody', seq: it.seq, receipt: true }), binary: false });
            expected.push({ what: 'not_subscribed', ok: (r) => r.op === 'error' && r.code === 'not_subscribed' && r.topic === 'fz.nobody' && r.seq === it.seq });
          } else {
            badSent++;
            frames.push({ data: it.text, binary: it.binary });
            const code = it.binary ? 'bad_frame' : refusalCode(Buffer.byteLength(it.text));
            expected.push({ what: `${code} for ${it.text.slice(0, 60)}`, ok: (r) => r.op === 'error' && r.code === code });
          }
        }
        const replies = await exchange(c, frames);
        const problems = expected.flatMap((x, i) => (replies[i] !== undefined && x.ok(replies[i]!) ? [] : [`#${i}: expected ${x.what}, got ${JSON.stringify(replies[i])?.slice(0, 160)}`]));
        if (replies.length !== expected.length) problems.push(`${replies.length} replies for ${expected.length} expected`);
        if (problems.length > 0) throw new Error(problems.join('\n'));
        // Every confirmed live publish reaches the subscriber, in seq order, with its id and data.
        await until(sub, () => sub.replies.length - 1 >= sentLive.length, `${sentLive.length} deliveries`);
        const msgs = sub.replies.slice(1 + liveBefore).map(validateReply);
        expect(msgs.map((m) => [m.op, m.seq, m.id, j(m.data)])).toEqual(sentLive.slice(liveBefore).map((s, k) => ['msg', liveBefore + k + 1, s.id, s.data]));
      }),
      300,
    );
    // Over every run: deliveries == confirms, seqs 1..N without a gap (0 lost, 0 duplicated).
    const all = sub.replies.slice(1).map(validateReply);
    expect(all.map((m) => m.seq)).toEqual(sentLive.map((_, i) => i + 1));
    executed['mixed sequences: live messages confirmed and delivered'] = { numRuns: sentLive.length, seed: SEED, interrupted: false };
    executed['mixed sequences: invalid frames among them'] = { numRuns: badSent, seed: SEED, interrupted: false };
    sub.ws.close();
  });

  it('is still serving: a fresh well-behaved client publishes, gets confirms and deliveries with correct seqs, 0 lost', async () => {
    const pub = await open(url);
    const sub = await open(url);
    const topic = 'fz.after';
    sub.ws.send(j({ op: 'sub', topic }));
    await until(sub, () => sub.replies.length === 1, 'subscribed');
    let n = 0;
    const report = await whileServing(
      async () => {},
      async (i) => {
        const id = `after-${i}`;
        const before = pub.replies.length;
        const seen = sub.replies.length;
        pub.ws.send(j({ op: 'pub', topic, id, data: { i } }));
        await until(pub, () => pub.replies.length > before, `confirm of ${id}`);
        const ok = validateReply(pub.replies[before]!);
        if (ok.op !== 'ok' || ok.id !== id || ok.seq !== ++n) throw new Error(`bad confirm ${JSON.stringify(ok)}`);
        await until(sub, () => sub.replies.length > seen, `delivery of ${id}`);
        const msg = validateReply(sub.replies[seen]!);
        if (msg.op !== 'msg' || msg.seq !== n || msg.id !== id) throw new Error(`bad delivery ${JSON.stringify(msg)}`);
        const acked = sub.replies.length;
        sub.ws.send(`{"op":"ack","topic":"${topic}","seq":${n},"receipt":true}`);
        await until(sub, () => sub.replies.length > acked, `ack receipt of ${n}`);
        const receipt = validateReply(sub.replies[acked]!);
        if (receipt.op !== 'acked' || receipt.seq !== n || receipt.known !== true) throw new Error(`bad receipt ${JSON.stringify(receipt)}`);
      },
      { minProbes: 200, maxProbes: 200, intervalMs: 0 },
    );
    expect(report).toMatchObject({ probes: 200, ok: 200, failed: 0 });
    expect(server.stats()).toMatchObject({ unacked: 0 });
    executed['fresh client after fuzzing (publish→confirm→delivery)'] = { numRuns: report.ok, seed: SEED, interrupted: false };
    pub.ws.close();
    sub.ws.close();
  });
});

