/**
 * Reads a request body with a size bound, for targets that take JSON bodies.
 * A body over the bound is never buffered: a declared Content-Length over it is refused
 * before reading, and a streamed body stops being kept once it passes the bound.
 */
import type { IncomingMessage } from 'node:http';

/** The body as UTF-8 text, or why there is none. */
export type BodyResult =
  | { ok: true; text: string }
  /** `too-large`: over the bound (answer 413); `aborted`: the client went away (answer nothing). */
  | { ok: false; reason: 'too-large' | 'aborted' };

/**
 * Collects the body of `req` as text (invalid UTF-8 becomes U+FFFD).
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
    if (more !== undefined) finish({ ok: true, text: Buffer.concat(more, size).toString('utf8') });
    else finish({ ok: true, text: first === undefined ? '' : first.toString('utf8') });
  });
  // 'close' comes after 'end' on a complete body (then finish is a no-op), or alone when the client went away.
  req.on('close', () => finish({ ok: false, reason: 'aborted' }));
  req.on('error', () => finish({ ok: false, reason: 'aborted' }));
}
