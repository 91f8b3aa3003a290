/**
 * Reads a cachegrind output file (`--cachegrind-out-file`). Only the totals matter here: the `events:` line
 * names the counted events (`Ir` alone with `--cache-sim=no`) and the `summary:` line holds their totals for the
 * whole process, in the same order. Per-function lines are skipped.
 */

/** Event totals of one cachegrind run, e.g. `{ Ir: 1708540573 }`. */
export type CachegrindTotals = Record<string, number>;

/**
 * The totals of a cachegrind output file's text.
 * @throws when the `events:` or `summary:` line is missing or the counts do not match the events
 */
export function parseCachegrindTotals(text: string): CachegrindTotals {
  let events: string[] | undefined;
  let summary: string[] | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('events:')) events = line.slice('events:'.length).trim().split(/\s+/);
    // `totals:` is an older spelling some tools (cg_merge) write; valgrind 3.19 writes `summary:`.
    else if (line.startsWith('summary:') || line.startsWith('totals:')) summary = line.slice(line.indexOf(':') + 1).trim().split(/\s+/);
  }
  if (events === undefined || events.length === 0 || events[0] === '') throw new Error('cachegrind output has no `events:` line: the run did not finish writing it');
  if (summary === undefined) throw new Error('cachegrind output has no `summary:` line: the process was killed before valgrind wrote its totals');
  if (summary.length !== events.length) {
    throw new Error(`cachegrind output: ${events.length} events (${events.join(' ')}) but ${summary.length} totals`);
  }
  const totals: CachegrindTotals = {};
  events.forEach((name, i) => {
    const value = Number(summary?.[i]);
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`cachegrind output: total of ${name} is ${JSON.stringify(summary?.[i])}, expected a count`);
    totals[name] = value;
  });
  return totals;
}

/** Instructions executed (`Ir`) from a cachegrind output file's text. */
export function instructionsFromCachegrind(text: string): number {
  const totals = parseCachegrindTotals(text);
  const ir = totals.Ir;
  if (ir === undefined) throw new Error(`cachegrind output counts ${Object.keys(totals).join(', ')} but not Ir (instructions)`);
  return ir;
}
