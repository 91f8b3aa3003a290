/** A count of things received (events, frames) that a closed-loop driver waits on, with a time bound. */
import { REQUEST_TIMEOUT_MS } from './loopback-http.ts';

export class Arrivals {
  private received = 0;
  private waiter: { target: number; resolve: () => void } | undefined;

  constructor(readonly what: string) {}

  get count(): number {
    return this.received;
  }

  /** Records `n` more arrivals. */
  add(n = 1): void {
    this.received += n;
    if (this.waiter && this.received >= this.waiter.target) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      resolve();
    }
  }

  /**
   * Resolves once `target` arrivals are counted; rejects after `timeoutMs` (default {@link REQUEST_TIMEOUT_MS}).
   * One wait at a time.
   */
  until(target: number, timeoutMs = REQUEST_TIMEOUT_MS): Promise<void> {
    if (this.received >= target) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`waited ${timeoutMs} ms for ${target} ${this.what}, got ${this.received}`));
      }, timeoutMs);
      this.waiter = {
        target,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
    });
  }
}
