import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MessageLog, StoredMessage } from './log.ts';

const msg = (seq: number, pending: number, bytes = 10): StoredMessage => new StoredMessage('t', seq, `m${seq}`, undefined, 0, null, bytes, pending);

describe('MessageLog', () => {
  it('finds messages by seq and releases the old end once finished, in order', () => {
    const log = new MessageLog();
    for (let s = 1; s <= 3; s++) log.append(msg(s, 1));
    expect(log.get(2)?.id).toBe('m2');
    log.done(2);
    expect(log.size).toBe(3); // 1 still pending holds 2 back
    log.done(1);
    expect(log.size).toBe(1);
    expect(log.get(1)).toBeUndefined();
    expect(log.get(3)?.id).toBe('m3');
    expect(log.bytes).toBe(10);
  });

  it('releases unrouted messages at once and refuses a seq out of order', () => {
    const log = new MessageLog();
    log.append(msg(1, 0));
    expect(log.size).toBe(0);
    expect(log.nextSeq).toBe(2);
    expect(() => log.append(msg(5, 1))).toThrow('expected seq 2, got 5');
  });

  it('keeps every held message reachable while growing and wrapping (model check)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant('append' as const), fc.nat(50)), { maxLength: 300 }), (ops) => {
        const log = new MessageLog();
        const held = new Map<number, number>(); // seq -> pending
        let next = 1;
        for (const op of ops) {
          if (op === 'append') {
            log.append(msg(next, 1));
            held.set(next++, 1);
          } else if (held.size > 0) {
            const seqs = [...held.keys()];
            const seq = seqs[op % seqs.length]!;
            log.done(seq);
            held.set(seq, 0);
          }
          // The model: release finished messages from the oldest end.
          for (const [seq, pending] of [...held].sort((a, b) => a[0] - b[0])) {
            if (pending > 0) break;
            held.delete(seq);
          }
          expect(log.size).toBe(held.size);
          for (const seq of held.keys()) expect(log.get(seq)?.seq).toBe(seq);
          expect(log.bytes).toBe(held.size * 10);
        }
      }),
    );
  });
});
