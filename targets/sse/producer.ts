/**
 * Keeps an exact event rate over time despite timer jitter.
 *
 * Instead of "one event per timer tick" (which drifts: every late tick is lost
 * time), slot k is due at start + k/rate. Each wake-up emits every slot due so
 * far, then sleeps until the next slot. Catch-up is bounded two ways:
 * - per wake-up at most 100 ms worth of events (`maxBurst`), the rest on the next
 *   tick, so a stall does not turn into one huge synchronous burst;
 * - the debt never exceeds 1 s worth (`maxDebt`): after a longer stall the excess
 *   slots are skipped and counted (`skipped`), so the achieved rate honestly
 *   falls short instead of a flood hiding the stall.
 */
import { performance } from 'node:perf_hooks';

export class RateProducer {
  /** Slots accounted for (emitted or skipped). */
  private slots = 0;
  private startMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private readonly maxBurst: number;
  private readonly maxDebt: number;
  /** Slots skipped because the event loop stalled more than 1 s. */
  skipped = 0;

  /**
   * @param rate events per second, > 0
   * @param onDue called with how many events to emit now (>= 1)
   * @param onSkipped called with slots given up after a long stall; default: none
   */
  constructor(
    private readonly rate: number,
    private readonly onDue: (count: number) => void,
    private readonly onSkipped?: (count: number) => void,
  ) {
    this.maxBurst = Math.max(1, Math.ceil(rate / 10));
    this.maxDebt = Math.max(this.maxBurst, Math.ceil(rate));
  }

  /** Emits the first event now, then keeps the rate until {@link stop}. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.startMs = performance.now();
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    const due = Math.floor(((performance.now() - this.startMs) * this.rate) / 1000) + 1;
    let debt = due - this.slots;
    if (debt > this.maxDebt) {
      const skip = debt - this.maxDebt;
      this.slots += skip;
      this.skipped += skip;
      this.onSkipped?.(skip);
      debt = this.maxDebt;
    }
    const count = Math.min(debt, this.maxBurst);
    if (count > 0) {
      this.slots += count;
      this.onDue(count);
    }
    if (this.stopped) return; // onDue may have stopped us
    const wait = this.startMs + (this.slots * 1000) / this.rate - performance.now();
    // ceil: a timer never fires early, so we never wake before the slot is due.
    this.timer = setTimeout(this.tick, Math.max(0, Math.ceil(wait)));
  };
}
