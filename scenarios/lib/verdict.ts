/**
 * A protocol verdict recorded twice: in `tidemark_errors` (the harness's error rate and validity rule) and with
 * k6's `check()`, so k6's end-of-test summary, the `checks` metric and the community k6 InfluxDB dashboards
 * (grafana.com 2587, "Checks per Second") show it, with the sample's usual tags. Verdicts are taken per request,
 * per stream or per connection, never per event: a check costs k6 CPU (docs/PERFORMANCE.md, "k6 checks").
 */
import { check } from 'k6';
import type { Rate } from 'k6/metrics';

type CheckSet = Record<string, (ok: boolean) => boolean>;
/** One check set per verdict name, built once rather than per call. */
const sets = new Map<string, CheckSet>();

/**
 * @param errors the scenario's `tidemark_errors` Rate (its metrics module's)
 * @param name the check's name, as k6's summary lists it
 * @returns `ok`
 */
export function verdict(errors: Rate, name: string, ok: boolean, tags?: Record<string, string>): boolean {
  errors.add(!ok, tags);
  let set = sets.get(name);
  if (set === undefined) {
    set = { [name]: (v: boolean) => v };
    sets.set(name, set);
  }
  check(ok, set, tags);
  return ok;
}
