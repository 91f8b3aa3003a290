/**
 * Gate report → `tidemark_verdict` points: one per scenario and gated metric (pure).
 * Tags: testid, scenario, target, profile, metric, verdict, mode, branch, git_sha; per metric also role
 * (primary|advisory).
 * Fields: baseline, current, change_pct, ci_low_pct, ci_high_pct, ci_level, p, p_adjusted, mde_pct (minimum
 * detectable effect at 90% power), margin_pct, regression (0/1), undecided (0/1); the scenario point has
 * regression, undecided, invalid, slo_failures and runs.
 * Time: the gate's finish time, so writing the same report twice overwrites the same points.
 */
import type { GateReport } from './gate-report.ts';
import type { InfluxPoint } from './influx-points.ts';

export const MEASUREMENT_VERDICT = 'tidemark_verdict';

function finite(entries: Array<[string, number | null]>): Record<string, number> {
  return Object.fromEntries(entries.filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1])));
}

const pct = (share: number | null): number | null => (share === null ? null : share * 100);

export function gateVerdictPoints(report: GateReport): InfluxPoint[] {
  const timestamp = new Date(report.finishedAt);
  return report.scenarios.flatMap((s) => {
    const [target = 'unknown', profile = 'unknown'] = s.scenario.split('/');
    const common = {
      testid: report.runId,
      scenario: s.scenario,
      target,
      profile,
      mode: report.mode,
      branch: report.git.branch || 'unknown',
      git_sha: report.git.sha || 'unknown',
    };
    const scenarioPoint: InfluxPoint = {
      measurement: MEASUREMENT_VERDICT,
      tags: { ...common, metric: '_scenario', verdict: s.verdict },
      fields: {
        regression: s.verdict === 'regression' ? 1 : 0,
        undecided: s.verdict === 'undecided' ? 1 : 0,
        invalid: s.verdict === 'invalid' ? 1 : 0,
        slo_failures: s.sloFailures.length,
        runs: s.runs,
      },
      timestamp,
    };
    return [
      scenarioPoint,
      ...s.metrics.map((m) => ({
        measurement: MEASUREMENT_VERDICT,
        tags: { ...common, metric: m.metric, verdict: m.verdict, role: m.role },
        fields: finite([
          ['baseline', m.baseline],
          ['current', m.current],
          ['change_pct', pct(m.change)],
          ['ci_low_pct', pct(m.ciLow)],
          ['ci_high_pct', pct(m.ciHigh)],
          ['ci_level', m.ciLevel],
          ['p', m.p],
          ['p_adjusted', m.pAdjusted],
          ['mde_pct', pct(m.mde)],
          ['margin_pct', m.margin * 100],
          ['regression', m.verdict === 'regression' ? 1 : 0],
          ['undecided', m.verdict === 'undecided' ? 1 : 0],
        ]),
        timestamp,
      })),
    ];
  });
}
