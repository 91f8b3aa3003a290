/**
 * k6 execution segments: how one scenario is split across N k6 processes (`--segments N`), the flags that
 * give process i its share, and the files each segment leaves beside the run result.
 *
 * k6 splits every executor by the segment: VUs of `per-vu-iterations`, arrival rates of the arrival-rate
 * executors, iterations of the shared ones. Segment i of N is `i/N:(i+1)/N`; the common sequence
 * `0,1/N,...,1` makes k6 place VUs and iterations so that the segments add up to the whole test exactly.
 */

/** Most segments one invocation may start: each is a whole k6 process on this machine. */
export const MAX_SEGMENTS = 64;

/** A fraction of the test in k6's notation: `0`, `1` or `i/N`. */
export function fraction(i: number, n: number): string {
  if (i === 0) return '0';
  if (i === n) return '1';
  return `${i}/${n}`;
}

/**
 * The `--execution-segment` and `--execution-segment-sequence` flags of segment `index` of `count`.
 * @throws Error when index or count are out of range
 */
export function segmentFlags(index: number, count: number): string[] {
  checkCount(count);
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new Error(`segment index ${index} is out of range 0..${count - 1}`);
  }
  const sequence = Array.from({ length: count + 1 }, (_, i) => fraction(i, count)).join(',');
  return ['--execution-segment', `${fraction(index, count)}:${fraction(index + 1, count)}`, '--execution-segment-sequence', sequence];
}

/** Throws a usage error unless `count` is a whole number in 1..MAX_SEGMENTS. */
export function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SEGMENTS) {
    throw new Error(`--segments ${count}: expected a whole number from 1 to ${MAX_SEGMENTS} (one k6 process each)`);
  }
}

/** What segment `index` writes, named after the run's files: `<base>.seg<i>.*`. */
export interface SegmentFiles {
  index: number;
  /** k6's handleSummary data of this segment (TIDEMARK_SUMMARY_FILE). */
  summary: string;
  /** Every sample of this segment (`--out json=`, gzip), the source of the merged percentiles. */
  samples: string;
  /** k6's stdout and stderr. */
  k6Log: string;
}

/**
 * File names of segment `index` for a run whose result is `<base>.json`.
 * @param base the run result path without `.json`, e.g. `results/<runId>/sse-sustained`
 */
export function segmentFiles(base: string, index: number): SegmentFiles {
  const prefix = `${base}.seg${index}`;
  return { index, summary: `${prefix}.k6-summary.json`, samples: `${prefix}.samples.json.gz`, k6Log: `${prefix}.k6.log` };
}

/** Where the per-segment digest of a segmented run goes: `<base>.segments.json`. */
export function segmentsDigestFile(base: string): string {
  return `${base}.segments.json`;
}

/** The run result path without its `.json` extension: the prefix of every segment file. */
export function runBase(resultFile: string): string {
  return resultFile.replace(/\.json$/, '');
}
