/**
 * Reads a request body with a size bound, for targets that take JSON bodies.
 * A body over the bound is never buffered: a declared Content-Length over it is refused
 * before reading, and a streamed body stops being kept once it passes the bound.
 */
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';

/** The body as UTF-8 text, or why there is none. */
export type BodyResult =
  /** `utf8`: false when the bytes were not valid UTF-8 (then `text` has U+FFFD in their place). */
  | { ok: true; text: string; utf8: boolean }
  /** `too-large`: over the bound (answer 413); `aborted`: the client went away (answer nothing). */
  | { ok: false; reason: 'too-large' | 'aborted' };

/**
 * Collects the body of `req` as text (invalid UTF-8 becomes U+FFFD and `utf8` is false, so a
 * caller can refuse it instead of silently altering the client's data).
 * Calls `done` exactly once. Callback style on purpose: it runs once per request on the hot path.
 * @param maxBytes largest body accepted, bytes
 */
export function readBody(req: IncomingMessage, maxBytes: number, done: (result: BodyResult) => void): void {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) {
    req.resume(); // discard, so the response can still be read on a keep-alive connection
    done({ ok: false, reason: 'too-large' });
    return;
  }
  let first: Buffer | undefined;
  let more: Buffer[] | undefined;
  let size = 0;
  let finished = false;
  const finish = (result: BodyResult): void => {
    if (finished) return;
    finished = true;
    done(result);
  };
  req.on('data', (chunk: Buffer) => {
    if (finished) return;
    size += chunk.length;
    if (size > maxBytes) {
      first = undefined;
      more = undefined;
      finish({ ok: false, reason: 'too-large' });
      return; // keep reading (and discarding) so the connection stays usable
    }
    if (first === undefined) first = chunk;
    else (more ??= [first]).push(chunk);
  });
  req.on('end', () => {
    const all = more !== undefined ? Buffer.concat(more, size) : first;
    if (all === undefined) finish({ ok: true, text: '', utf8: true });
    else finish({ ok: true, text: all.toString('utf8'), utf8: isUtf8(all) });
  });
  // 'close' comes after 'end' on a complete body (then finish is a no-op), or alone when the client went away.
  req.on('close', () => finish({ ok: false, reason: 'aborted' }));
  req.on('error', () => finish({ ok: false, reason: 'aborted' }));
}
