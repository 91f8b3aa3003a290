/**
 * Regressions written in code, for measuring the gate: each one edits a reference target's source in a
 * throw-away checkout (never the working tree), so the gate sees a real code change, not a fault knob.
 * Each edit is anchored on one source line and fails loudly when the anchor has moved.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface CodeRegression {
  /** Short name in reports, e.g. `sse-loop`. */
  name: string;
  /** What the size means, for reports. */
  unit: string;
  /** The gated figure this change should move. */
  metric: string;
  /** Scenario whose target it edits. */
  scenario: string;
  /** File edited, relative to the checkout's root. */
  file: string;
  /**
   * The line (trimmed) the edit is anchored on, optionally preceded by the lines (trimmed, `\n`-separated) just
   * before it, to make it unique; it must occur exactly once. Only its last line is replaced.
   */
  anchor: string;
  /** The replacement of the anchor's last line for a given size. */
  replace(anchorLine: string, size: number): string;
  /**
   * The size that moves `metric` by `share`, from the medians of unchanged runs; absent where the size needs
   * a calibration instead (the loop: see accuracy-cost.ts).
   */
  sizeFor?(share: number, medians: Record<string, number>): number;
}

/**
 * Work that V8 cannot drop: the loop's result feeds a global, so it is not dead code. Integer arithmetic
 * only, so its instructions per iteration do not depend on the data.
 */
const loop = (iterations: number): string =>
  `{ let x = 0; for (let i = 0; i < ${Math.round(iterations)}; i++) x = (x * 31 + i) | 0; (globalThis as { __tidemarkSink?: number }).__tidemarkSink = x; }`;

export const CODE_REGRESSIONS: Record<string, CodeRegression> = {
  // Extra work per SSE event written: what a careless serialisation or logging change adds.
  'sse-loop': {
    name: 'sse-loop',
    unit: 'loop iterations per event',
    metric: 'instructions_per_op',
    scenario: 'sse/sustained',
    file: 'targets/sse/stream.ts',
    anchor: 'd.faults.burn();',
    replace: (line, size) => `${line}\n  ${loop(size)}`,
  },
  // Memory held per connection: a per-stream buffer nobody needed.
  'sse-alloc': {
    name: 'sse-alloc',
    unit: 'KiB held per connection',
    metric: 'rss_per_connection_kb',
    scenario: 'sse/sustained',
    file: 'targets/sse/server.ts',
    anchor: 'const stream: Stream = { res, after: 0, ballast: faults.holdMemory() };',
    replace: (line, size) =>
      line.replace('faults.holdMemory()', `faults.holdMemory() ?? Buffer.allocUnsafeSlow(${Math.round(size)} * 1024).fill(0x5a)`),
    sizeFor: (share, m) => Math.max(1, Math.round(share * (m.rss_per_connection_kb ?? 0))),
  },
  // Latency added in the delivery path: each event written after a wait, in order.
  'sse-delay': {
    name: 'sse-delay',
    unit: 'ms added before each event is written',
    metric: 'latency_p95',
    scenario: 'sse/sustained',
    file: 'targets/sse/stream.ts',
    anchor: 'd.faults.burn();\nres.write(frame);',
    // Timers round below 1 ms up to 1 ms, so the wait polls the monotonic clock (as the delay knob does).
    replace: (line, size) =>
      line.replace(
        'res.write(frame);',
        `{ const due = performance.now() + ${size.toFixed(4)}; const w = (): void => { if (res.destroyed) return; if (performance.now() >= due) res.write(frame); else setImmediate(w); }; w(); }`,
      ),
    // An added wait d moves every latency sample by about d: p95 + d = p95 × (1 + share).
    sizeFor: (share, m) => share * (m.latency_p95 ?? 0),
  },
};

/**
 * Applies `regression` at `size` to the checkout at `root`.
 * @throws when the anchor is missing or not unique (the target's code moved: update the anchor)
 */
export async function applyCodeRegression(root: string, regression: CodeRegression, size: number): Promise<void> {
  const path = join(root, regression.file);
  const source = await readFile(path, 'utf8');
  const lines = source.split('\n');
  const anchor = regression.anchor.split('\n');
  const matchesAt = (end: number): boolean => anchor.every((a, k) => lines[end - (anchor.length - 1) + k]?.trim() === a);
  const at = lines.flatMap((_, i) => (i >= anchor.length - 1 && matchesAt(i) ? [i] : []));
  if (at.length !== 1) {
    throw new Error(`${regression.name}: the lines \`${anchor.join(' / ')}\` occur ${at.length} times in ${regression.file} (expected once); update its anchor in scripts/lib/gate/code-regressions.ts`);
  }
  const i = at[0] as number;
  const line = lines[i] as string;
  lines[i] = regression.replace(line, size);
  await writeFile(path, lines.join('\n'));
}
