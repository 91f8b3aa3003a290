/** Which scenarios a gate or baseline invocation covers. */
import { existsSync } from 'node:fs';
import { baselinePath } from './baseline-file.ts';
import { listScenarios, matchesGlob } from '../scenario-name.ts';

/**
 * The gate suite: every scenario with a committed baseline, narrowed by `only` (a glob such as `sse/*`).
 * With `only`, a matching scenario without a baseline is an error in gate mode, so nothing is skipped silently;
 * soak scenarios are the exception: they are held to absolute limits (validity, their k6 thresholds and the RSS
 * slope ceiling), because five 10-minute baseline runs per target would cost more than they tell.
 */
export function selectScenarios(only: string | undefined, mode: 'gate' | 'baseline' | 'ab'): string[] {
  const all = listScenarios();
  // A soak runs only when a glob part ends in `/soak`: `sse/*` must not add ten minutes.
  const matching = only ? all.filter((name) => matchesGlob(name, only) && (!isSoak(name) || namesSoak(only))) : all;
  if (matching.length === 0) throw new Error(`--only '${only}' matches no scenario; scenarios: ${all.join(', ')}`);
  // A paired gate (ab) with no --only runs the same default suite as the other modes: a soak or a ladder there
  // would add ten minutes each (seen: a paired gate over the whole list reached the soaks).
  if (mode !== 'gate') return only ? matching : matching.filter(isGateScenario);
  const withBaseline = matching.filter((name) => existsSync(baselinePath(name)) || (only !== undefined && isSoak(name)));
  if (only) {
    const missing = matching.filter((name) => !existsSync(baselinePath(name)) && !isSoak(name));
    if (missing.length > 0) {
      throw new Error(`no baseline for ${missing.join(', ')}; create with \`npm run baseline -- --only '${only}'\``);
    }
  }
  if (withBaseline.length === 0) throw new Error('no committed baselines in baselines/: create them with `npm run baseline`');
  return withBaseline;
}

/** True when some part of the glob names the soak profile literally, such as `sse/soak` (or every target's). */
function namesSoak(glob: string): boolean {
  return glob.split(',').some((part) => part.trim().endsWith('/soak'));
}

/** Soak profiles: long runs whose figure of interest is the RSS slope. */
export function isSoak(name: string): boolean {
  return name.endsWith('/soak');
}

/**
 * Long or exploratory profiles stay out of the default baseline suite: `soak` (minutes by design) and `ladder`
 * (a closed-model capacity sweep, past its knee latency is queueing by construction). Name them with --only.
 */
export function isGateScenario(name: string): boolean {
  return !isSoak(name) && !name.endsWith('/ladder');
}
