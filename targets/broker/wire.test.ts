import { describe, expect, it } from 'vitest';
import type { Message } from './backend.ts';
import { batchReceiptFrame, confirmFrame, deliveryBytes, deliveryFrame, errorFrame, formatTime, receiptFrame, subscribedFrame } from './wire.ts';

const message = (over: Partial<Message> = {}): Message => ({ topic: 't', seq: 3, id: 'm3', cid: undefined, t: 1700000000123.4567, payload: 'hi "there"', bytes: 10, ...over });

describe('server frames', () => {
  it('formats times with at most 3 decimals', () => {
    expect(formatTime(1700000000123.4567)).toBe('1700000000123.457');
    expect(formatTime(1700000000123.5)).toBe('1700000000123.5');
    for (let i = 0; i < 1000; i++) expect(formatTime(1.7e12 + Math.random() * 1e6)).toMatch(/^\d+(\.\d{1,3})?$/);
  });

  it('encodes deliveries as valid JSON, with cid and attempt only when present', () => {
    expect(JSON.parse(deliveryFrame(message()))).toEqual({ op: 'msg', topic: 't', seq: 3, id: 'm3', t: 1700000000123.457, data: 'hi "there"' });
    expect(JSON.parse(deliveryFrame(message({ cid: 'c1', payload: { a: [1] } }), 3))).toEqual({
      op: 'msg',
      attempt: 3,
      topic: 't',
      seq: 3,
      id: 'm3',
      cid: 'c1',
      t: 1700000000123.457,
      data: { a: [1] },
    });
  });

  it('encodes a message once for all its subscribers', () => {
    const m = message();
    const first = deliveryBytes(m);
    expect(deliveryBytes(m)).toBe(first);
    expect(first.toString()).toBe(deliveryFrame(m));
    expect(deliveryBytes(message({ seq: 4 }))).not.toBe(first);
  });

  it('encodes confirms, receipts, errors and subscribe answers as valid JSON', () => {
    expect(JSON.parse(confirmFrame('m1', 9, 1.5))).toEqual({ op: 'ok', id: 'm1', seq: 9, t: 1.5 });
    expect(JSON.parse(receiptFrame('nack', 't', 2, false))).toEqual({ op: 'nacked', topic: 't', seq: 2, known: false });
    expect(JSON.parse(batchReceiptFrame('ack', 't', 5, 4))).toEqual({ op: 'acked', topic: 't', count: 5, known: 4 });
    expect(JSON.parse(errorFrame('bad_frame', 'a "quoted" reason', { id: 'm', topic: undefined }))).toEqual({ op: 'error', code: 'bad_frame', message: 'a "quoted" reason', id: 'm' });
    expect(JSON.parse(subscribedFrame({ topic: 't', ack: false, prefetch: 1, ackTimeoutMs: 10, group: undefined, durable: 'd', resumed: true, backlog: 4 }))).toEqual({
      op: 'subscribed',
      topic: 't',
      mode: 'noack',
      prefetch: 1,
      ackTimeoutMs: 10,
      durable: 'd',
      resumed: true,
      backlog: 4,
    });
  });
});
