/** Error lines on k6's log (stderr), for why a tick batch or a stream failed. */

// k6 provides `console` at run time; @types/k6 with lib ES2020 does not declare it, so declare only what is used.
declare const console: { error(...data: unknown[]): void };

/** Writes one error line to k6's log. */
export function logError(message: string): void {
  console.error(message);
}
