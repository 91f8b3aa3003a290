/**
 * Engine-internal latency (tick entry to quote emission) in HDR histograms from
 * `hdr-histogram-js`: constant memory, 3 significant digits at any magnitude, and
 * histograms that add up, so any window can be summarised exactly.
 *
 * Values are recorded in nanoseconds into the histogram of the current second (one record
 * per quote on the hot path); each closed second is added to the since-start histogram, and
 * a small ring of seconds gives the dashboard its recent figures. Reads merge the open
 * second in, so nothing lags.
 * A *mark* copies the since-start histogram; "since start minus mark" is then exactly the
 * latency of what happened after it, so a load test measures its own run and nothing else
 * (earlier runs, the dashboard's test button). Memory stays constant: a fixed ring and at
 * most `maxMarks` copies, nothing that grows with uptime (a growing history would show as
 * an RSS slope in a soak run and hide a real leak).
 */
import * as hdr from 'hdr-histogram-js';

type Histogram = hdr.Histogram;

/** Latency figures in ms (µs precision). Every field is null when nothing was recorded. */
export interface LatencySummary {
  count: number;
  min: number | null;
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/** Largest value tracked exactly, ns (60 s); larger values are recorded as this (a stall that long is its own alarm). */
const HIGHEST_NS = 60e9;

/** A dense histogram: fastest to record into. */
export function denseHistogram(): Histogram {
  return hdr.build({ bitBucketSize: 32, autoResize: false, lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_NS, numberOfSignificantValueDigits: 3 });
}

const round3 = (ms: number): number => Math.round(ms * 1000) / 1000;

/** Summarises a histogram of ns values in ms. */
export function summarize(h: Histogram): LatencySummary {
  const count = h.totalCount;
  if (count === 0) return { count: 0, min: null, mean: null, p50: null, p90: null, p95: null, p99: null, max: null };
  const ms = (ns: number): number => round3(ns / 1e6);
  return {
    count,
    min: ms(h.minNonZeroValue),
    mean: ms(h.mean),
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p95: ms(h.getValueAtPercentile(95)),
    p99: ms(h.getValueAtPercentile(99)),
    max: ms(h.maxValue),
  };
}

/** A window of time and its latency. */
export interface LatencyWindow {
  /** Epoch ms where the window starts. */
  fromMs: number;
  toMs: number;
  latency: LatencySummary;
}

/** A copy of the since-start histogram taken at `atMs`; later minus it is exactly what happened since. */
interface Mark {
  atMs: number;
  /** Undefined until a delayed mark is taken. */
  hist: Histogram | undefined;
  timer: NodeJS.Timeout | undefined;
}

/** What {@link LatencyRecorder.sinceMark} finds. */
export type MarkWindow = { state: 'ok'; window: LatencyWindow } | { state: 'unknown' } | { state: 'pending'; atMs: number };

export class LatencyRecorder {
  /** Since start, closed seconds only (reads add the open one). */
  private readonly total = denseHistogram();
  /** Sum of every recorded value, ns: exact (the histogram's mean is bucket-rounded), for Prometheus `_sum`. */
  sumNs = 0;
  /** The last `recentSeconds` closed seconds plus the open one, reused in turn (no allocation per second). */
  private readonly seconds: { startMs: number; hist: Histogram }[];
  private currentIndex = 0;
  private readonly marks = new Map<string, Mark>();
  private nextMark = 1;

  /**
   * @param recentSeconds closed seconds summed by {@link recent} (default 5)
   * @param maxMarks marks kept; creating one more forgets the oldest (default 16)
   * @param nowEpochMs clock for interval bounds (default Date.now)
   */
  constructor(
    private readonly recentSeconds = 5,
    private readonly maxMarks = 16,
    private readonly nowEpochMs: () => number = Date.now,
  ) {
    const now = nowEpochMs();
    this.seconds = Array.from({ length: recentSeconds + 1 }, () => ({ startMs: now, hist: denseHistogram() }));
  }

  /** Records one latency, ns (negative clamps to 0, beyond 60 s to 60 s). */
  record(ns: number): void {
    const v = ns < 0 ? 0 : ns > HIGHEST_NS ? HIGHEST_NS : Math.round(ns);
    this.seconds[this.currentIndex]!.hist.recordValue(v);
    this.sumNs += v;
  }

  /** Closes the current second (call once a second) and returns its summary. */
  rotate(): LatencySummary {
    const closed = this.seconds[this.currentIndex]!;
    const summary = summarize(closed.hist);
    this.total.add(closed.hist);
    this.currentIndex = (this.currentIndex + 1) % this.seconds.length;
    const next = this.seconds[this.currentIndex]!;
    next.hist.reset();
    next.startMs = this.nowEpochMs();
    return summary;
  }

  /** The last `recentSeconds` closed seconds plus the open one. */
  recent(): LatencyWindow {
    const merged = denseHistogram();
    let fromMs = Infinity;
    for (const s of this.seconds) {
      merged.add(s.hist);
      if (s.hist.totalCount > 0 || s === this.seconds[this.currentIndex]) fromMs = Math.min(fromMs, s.startMs);
    }
    return { fromMs, toMs: this.nowEpochMs(), latency: summarize(merged) };
  }

  /**
   * Remembers a moment; {@link sinceMark} later gives exactly the latency recorded after it.
   * @param afterMs take the mark this long from now (a load test marks the end of its warm-up); default 0, now
   */
  mark(afterMs = 0): { id: string; atMs: number } {
    const id = `m${this.nextMark++}`;
    const mark: Mark = { atMs: this.nowEpochMs() + afterMs, hist: undefined, timer: undefined };
    if (afterMs <= 0) mark.hist = this.sinceStart();
    else {
      mark.timer = setTimeout(() => {
        mark.timer = undefined;
        mark.atMs = this.nowEpochMs();
        mark.hist = this.sinceStart();
      }, afterMs);
      mark.timer.unref();
    }
    this.marks.set(id, mark);
    if (this.marks.size > this.maxMarks) {
      const oldest = this.marks.keys().next().value as string;
      clearTimeout(this.marks.get(oldest)?.timer);
      this.marks.delete(oldest);
    }
    return { id, atMs: mark.atMs };
  }

  /** Latency recorded since mark `id`, or why there is none: never made or forgotten, or not taken yet. */
  sinceMark(id: string): MarkWindow {
    const mark = this.marks.get(id);
    if (mark === undefined) return { state: 'unknown' };
    if (mark.hist === undefined) return { state: 'pending', atMs: mark.atMs };
    const diff = this.sinceStart();
    diff.subtract(mark.hist);
    return { state: 'ok', window: { fromMs: mark.atMs, toMs: this.nowEpochMs(), latency: summarize(diff) } };
  }

  /** Forgets every mark and its pending timer (the server is closing). */
  clearMarks(): void {
    for (const m of this.marks.values()) clearTimeout(m.timer);
    this.marks.clear();
  }

  /** Marks kept now. */
  get markCount(): number {
    return this.marks.size;
  }

  /** Since start. */
  summary(): LatencySummary {
    return summarize(this.sinceStart());
  }

  /** A new histogram of everything recorded so far (closed seconds plus the open one). */
  private sinceStart(): Histogram {
    const h = denseHistogram();
    h.add(this.total);
    h.add(this.seconds[this.currentIndex]!.hist);
    return h;
  }
}
