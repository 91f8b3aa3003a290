/**
 * The pair loop of a paired A/B gate: pairs are added round by round (one pair of every open scenario per round)
 * up to each planned look (looks.ts); at a look every open scenario is compared at that look's α and interval
 * level, and a scenario whose primary figures are all decided (or that already fails) stops. The loop ends when
 * no scenario is open, the last look is done, or the next look would not finish within the time budget.
 * With one look (`--repeat N`) it is a fixed-size paired gate.
 */
import type { ScenarioComparison } from '../../../reporters/gate-report.ts';
import { interval, percent } from '../../../reporters/gate-format.ts';
import type { Look } from './looks.ts';

export interface PairLoopOptions {
  scenarios: string[];
  looks: Look[];
  /**
   * Wall-clock budget of the whole gate, ms: pairs past the first look start only when the next look is expected
   * (from the mean pair time so far) to finish within it. The first look always runs.
   */
  budgetMs: number;
  /** Milliseconds since the gate started. */
  elapsedMs: () => number;
  /**
   * Runs pair `pair` (1-based) of `scenario`, A then B when odd, B then A when even. `stop`: the scenario can go no
   * further (an invalid run, or a harness error the caller has recorded).
   */
  runPair: (scenario: string, pair: number) => Promise<'ok' | 'stop'>;
  /** Compares these scenarios on their pairs so far at the look's α and interval level. */
  compare: (scenarios: string[], look: Look) => ScenarioComparison[];
  log: (line: string) => void;
}

export interface PairLoopResult {
  /**
   * Each scenario's comparison at the last look it reached, with that look. Scenarios stopped by `runPair` are
   * absent: their data end between looks, and the caller reports them (an invalid scenario is invalid at any α).
   */
  decided: Map<string, ScenarioComparison>;
  stoppedBy: 'decided' | 'max-pairs' | 'budget';
  /** Most pairs any scenario ran. */
  pairs: number;
}

/** Decided: nothing left open (a pass), or nothing more to learn for the gate's outcome (regression, invalid). */
function isDecided(s: ScenarioComparison): boolean {
  return s.verdict !== 'undecided';
}

/** The open primary figures of a scenario with their current intervals, for progress lines. */
function openFigures(s: ScenarioComparison): string {
  const open = s.metrics.filter((m) => m.role === 'primary' && (m.verdict === 'undecided' || m.verdict === 'insufficient'));
  if (open.length === 0) return 'no open figure';
  return open.map((m) => (m.verdict === 'insufficient' ? `${m.metric} (too few pairs)` : `${m.metric} ${percent(m.change)} ${interval(m)}`)).join(' · ');
}

export async function runPairLoop(opts: PairLoopOptions): Promise<PairLoopResult> {
  const decided = new Map<string, ScenarioComparison>();
  let open = [...opts.scenarios];
  let done = 0;
  let pairMs = 0;
  let pairsRun = 0;
  let stoppedBy: PairLoopResult['stoppedBy'] = 'max-pairs';

  for (const [k, look] of opts.looks.entries()) {
    if (open.length === 0) break;
    if (k > 0 && pairsRun > 0) {
      const needMs = (look.pairs - done) * open.length * (pairMs / pairsRun);
      const leftMs = opts.budgetMs - opts.elapsedMs();
      if (needMs > leftMs) {
        opts.log(`budget: look ${k + 1} at ${look.pairs} pairs needs about ${(needMs / 1000).toFixed(0)} s more, ${Math.max(0, leftMs / 1000).toFixed(0)} s left: stopping`);
        stoppedBy = 'budget';
        break;
      }
    }
    for (let pair = done + 1; pair <= look.pairs; pair++) {
      for (const s of [...open]) {
        const started = opts.elapsedMs();
        const outcome = await opts.runPair(s, pair);
        pairMs += opts.elapsedMs() - started;
        pairsRun += 1;
        if (outcome === 'stop') {
          open = open.filter((x) => x !== s);
          decided.delete(s);
          continue;
        }
        const order = pair % 2 === 1 ? 'A B' : 'B A';
        const progress = pair >= 2 ? ` · ${openFigures(opts.compare([s], look)[0] as ScenarioComparison)}` : '';
        opts.log(`  ${s} pair ${pair} (${order}), look ${k + 1} at ${look.pairs}${progress}`);
      }
    }
    done = look.pairs;
    const lookInfo = { index: k + 1, of: opts.looks.length, ...look };
    const compared = open.length > 0 ? opts.compare(open, look) : [];
    for (const c of compared) decided.set(c.scenario, { ...c, look: lookInfo });
    const closed = compared.filter(isDecided).map((c) => c.scenario);
    opts.log(
      `look ${k + 1} of ${opts.looks.length} at ${look.pairs} pairs (α ${look.alpha.toPrecision(2)}, ${(look.level * 100).toFixed(2)}% intervals): ` +
        compared.map((c) => `${c.scenario} ${isDecided(c) ? c.verdict : `open: ${openFigures(c)}`}`).join('; '),
    );
    open = open.filter((s) => !closed.includes(s));
  }
  if (open.length === 0) stoppedBy = 'decided';
  return { decided, stoppedBy, pairs: done };
}
