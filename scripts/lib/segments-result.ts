/** Turns the files of finished segments into the merged summary of the run, and leaves a digest of the parts. */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { asK6SummaryData, type K6SummaryData } from '../../reporters/k6-summary.ts';
import { mergeSegments, trendSelectors, type SegmentData } from './segments-merge.ts';
import { readTrendSamples } from './segments-samples.ts';
import type { SegmentOutcome } from './segments-run.ts';

/** What `<base>.segments.json` records of each segment: enough to check the merge by hand. */
export interface SegmentDigest {
  index: number;
  exitCode: number;
  files: { summary: string; samples: string; k6Log: string };
  testRunDurationMs: number | null;
  /** Counter totals of this segment. */
  counters: Record<string, number>;
  /** Sample counts of this segment's trends. */
  trends: Record<string, number>;
}

/** The per-segment figures of one summary. */
export function digest(outcome: SegmentOutcome, summary: K6SummaryData | null): SegmentDigest {
  const counters: Record<string, number> = {};
  const trends: Record<string, number> = {};
  for (const [name, m] of Object.entries(summary?.metrics ?? {})) {
    const count = m.values.count;
    if (typeof count !== 'number') continue;
    if (m.type === 'counter') counters[name] = count;
    else if (m.type === 'trend') trends[name] = count;
  }
  return {
    index: outcome.index,
    exitCode: outcome.exitCode,
    files: { summary: basename(outcome.summary), samples: basename(outcome.samples), k6Log: basename(outcome.k6Log) },
    testRunDurationMs: summary?.state?.testRunDurationMs ?? null,
    counters,
    trends,
  };
}

/**
 * Reads every segment's summary and raw samples, writes the merged summary to `summaryFile` and the digest
 * to `digestFile`, and returns the merged summary; null when a segment wrote no summary (the run then has
 * nothing to measure and is invalid, like a single k6 process without a summary).
 */
export async function mergeSegmentFiles(
  outcomes: readonly SegmentOutcome[],
  summaryFile: string,
  digestFile: string,
  log: (line: string) => void,
): Promise<K6SummaryData | null> {
  const summaries: Array<K6SummaryData | null> = [];
  for (const o of outcomes) {
    summaries.push(existsSync(o.summary) ? asK6SummaryData(JSON.parse(await readFile(o.summary, 'utf8'))) : null);
  }
  const digests = outcomes.map((o, i) => digest(o, summaries[i] ?? null));
  await writeFile(digestFile, `${JSON.stringify({ segments: outcomes.length, parts: digests }, null, 2)}\n`);
  const missing = outcomes.filter((_, i) => summaries[i] === null);
  if (missing.length > 0) {
    for (const o of missing) log(`  segment ${o.index} wrote no summary (k6 exit ${o.exitCode}); see ${o.k6Log}`);
    return null;
  }
  const present = summaries.filter((s): s is K6SummaryData => s !== null);
  const selectors = trendSelectors(present);
  const segments: SegmentData[] = [];
  for (const [i, o] of outcomes.entries()) {
    if (!existsSync(o.samples)) throw new Error(`segment ${o.index} wrote no raw samples at ${o.samples}; see ${o.k6Log}`);
    segments.push({ index: o.index, summary: present[i] as K6SummaryData, samples: await readTrendSamples(o.samples, selectors) });
  }
  const merged = mergeSegments(segments);
  await writeFile(summaryFile, JSON.stringify(merged));
  return merged;
}
