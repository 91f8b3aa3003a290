/**
 * Keeps an exact event rate over time despite timer jitter.
 *
 * Instead of "one event per timer tick" (which drifts: every late tick is lost
 * time), slot k is due at start + k/rate. Each wake-up emits every slot due so
 * far, then sleeps until the next slot. The catch-up burst is capped at 1 s worth
 * of events (`maxDebt`): after a longer stall the excess slots are skipped and
 * counted (`skipped`), so the achieved rate honestly falls short instead of a
 * flood hiding the stall.
 *
 * Why no smaller per-wake-up cap: under load one event-loop iteration can take
 * 100 ms or more, and every producer wakes at most once per iteration. A cap of,
 * say, 100 ms worth per wake-up then starves every producer at once and turns a
 * busy loop into a permanent shortfall (seen with 1000 streams x 100/s on a
 * loaded 2-core machine). Paying the whole debt per wake-up keeps the rate
 * whatever the iteration length.
 */
import { performance } from 'node:perf_hooks';

export class RateProducer {
  /** Slots accounted for (emitted or skipped). */
  private slots = 0;
  private startMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
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
    this.maxDebt = Math.max(1, Math.ceil(rate));
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
    if (debt > 0) {
      this.slots += debt;
      this.onDue(debt);
    }
    if (this.stopped) return; // onDue may have stopped us
    const wait = this.startMs + (this.slots * 1000) / this.rate - performance.now();
    // ceil: a timer never fires early, so we never wake before the slot is due.
    this.timer = setTimeout(this.tick, Math.max(0, Math.ceil(wait)));
  };
}
