/** The terminal line of one probed target. */
import type { CostResult } from './probe.ts';

/** e.g. `jsonrpc  612,345 instructions/op (JSON-RPC call answered)  runs 612,300 612,390  spread 0.015%  [20.1 s/run]` */
export function costResultLine(r: CostResult): string {
  const n = (v: number): string => Math.round(v).toLocaleString('en');
  const secondsPerRun = r.seconds.length === 0 ? 0 : r.seconds.reduce((a, b) => a + b, 0) / r.seconds.length;
  return `${r.target}  ${n(r.instructionsPerOp)} instructions/op (${r.unit})  runs ${r.runs.map(n).join(' ')}  spread ${(r.spread * 100).toFixed(3)}%  [${secondsPerRun.toFixed(1)} s per valgrind run]`;
}
