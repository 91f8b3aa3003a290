/** A child's stdout and stderr into one log file, closed once the child has closed both. */
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';

/**
 * Pipes both streams without letting either end the file: with plain `pipe`, the first stream to end
 * closes the file and the other's next write throws ERR_STREAM_WRITE_AFTER_END.
 */
export function logChildTo(child: ChildProcess, file: string): void {
  const log = createWriteStream(file);
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  child.once('close', () => log.end());
  child.once('error', () => log.end());
}
