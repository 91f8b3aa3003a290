/** Gate verdicts as InfluxDB points (`tidemark_verdict`), one per scenario and gated metric. */
import type { GateReport } from '../../../reporters/gate-report.ts';
import { gateVerdictPoints } from '../../../reporters/influx-verdicts.ts';
import { writePoints, type WriteOutcome } from '../../../reporters/influx-writer.ts';

export function writeGateToInflux(url: string, report: GateReport): Promise<WriteOutcome> {
  return writePoints(url, gateVerdictPoints(report), {
    retryHint: `the verdicts are kept in results/${report.runId}/report.json`,
  });
}
