/**
 * Pinning k6 and the target to separate CPUs with `taskset` (util-linux), so the load generator never takes the
 * target's core and the scheduler never migrates either between cores mid-run. The harness itself stays unpinned.
 * `taskset -c <cpus> <command>` sets its own affinity and then execs the command, so the child's pid is the
 * command's (node, k6): signals, /proc sampling and process-group stops work as without it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseCpusAllowed } from './proc-stats.ts';

/** CPU lists in `taskset -c` form (`1`, `0-1`, `0,2`). */
export interface CpuPlan {
  target: string;
  k6: string;
}

/** What `--pin` / `pin` / TIDEMARK_PIN ask for: off, the default plan, or an explicit one. */
export type PinRequest = boolean | CpuPlan;

/** The plan to apply (null: run unpinned) and, when a request could not be met, why. */
export interface Pinning {
  plan: CpuPlan | null;
  note: string | null;
}

/** Parses a CPU list (`0-3,6`) into CPU numbers, ascending; null when malformed. */
export function parseCpuList(text: string): number[] | null {
  const cpus = new Set<number>();
  for (const part of text.trim().split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!match) return null;
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (to < from || to - from > 4096) return null;
    for (let c = from; c <= to; c++) cpus.add(c);
  }
  return [...cpus].sort((a, b) => a - b);
}

/** A compact CPU list for `taskset -c`: `[0, 1, 2, 5]` → `0-2,5`. */
export function formatCpuList(cpus: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < cpus.length; ) {
    let j = i;
    while (j + 1 < cpus.length && cpus[j + 1] === (cpus[j] ?? 0) + 1) j++;
    parts.push(i === j ? `${cpus[i]}` : `${cpus[i]}-${cpus[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/**
 * The default plan over the CPUs the harness may use: k6 on the lower half, the target on the upper half
 * (2 CPUs: k6 on 0, target on 1). k6 gets the larger half when the count is odd: it runs many threads, the
 * target's work is mostly one JavaScript thread. Null with fewer than 2 CPUs.
 */
export function defaultCpuPlan(allowed: number[]): CpuPlan | null {
  if (allowed.length < 2) return null;
  const k6Count = Math.ceil(allowed.length / 2);
  return { k6: formatCpuList(allowed.slice(0, k6Count)), target: formatCpuList(allowed.slice(k6Count)) };
}

/**
 * Reads TIDEMARK_PIN: unset, `0` or empty → off; `1` → the default plan; `target=<cpus>,k6=<cpus>` with `;` or
 * space between the two (`target=1;k6=0`) → that plan.
 */
export function pinRequestFromEnv(env: NodeJS.ProcessEnv = process.env): PinRequest {
  const raw = (env.TIDEMARK_PIN ?? '').trim();
  if (raw === '' || raw === '0') return false;
  if (raw === '1') return true;
  const target = /(?:^|[;\s])target=([\d,-]+)/.exec(raw)?.[1];
  const k6 = /(?:^|[;\s])k6=([\d,-]+)/.exec(raw)?.[1];
  if (target === undefined || k6 === undefined || parseCpuList(target) === null || parseCpuList(k6) === null) {
    throw new Error(`TIDEMARK_PIN=${raw}: expected 1, 0 or a plan such as "target=1;k6=0" (CPU lists as for taskset -c)`);
  }
  return { target, k6 };
}

/** The CPUs this process may run on (its own affinity, which a container or cgroup may narrow). */
export function allowedCpus(): number[] {
  try {
    const list = parseCpusAllowed(readFileSync('/proc/self/status', 'utf8'));
    const parsed = list === null ? null : parseCpuList(list);
    if (parsed !== null && parsed.length > 0) return parsed;
  } catch {
    // not Linux: no /proc
  }
  return [0];
}

let tasksetFound: boolean | null = null;

/** True when `taskset` runs here (looked up once). */
export function hasTaskset(): boolean {
  if (tasksetFound === null) {
    const probe = spawnSync('taskset', ['--version'], { stdio: 'ignore', timeout: 5000 });
    tasksetFound = probe.error === undefined && probe.status === 0;
  }
  return tasksetFound;
}

/**
 * Turns a request into a plan, or into no plan and a note saying why (no taskset, a single CPU, CPUs outside
 * the ones allowed). Never throws for an unmet request: the run goes on unpinned and the run result says so.
 */
export function resolvePinning(request: PinRequest, allowed: number[] = allowedCpus(), taskset: () => boolean = hasTaskset): Pinning {
  if (request === false) return { plan: null, note: null };
  const unpinned = (why: string): Pinning => ({ plan: null, note: `pinning asked for but not applied: ${why}; the run is unpinned` });
  if (!taskset()) return unpinned('`taskset` (util-linux) was not found; install util-linux');
  const plan = request === true ? defaultCpuPlan(allowed) : request;
  if (plan === null) return unpinned(`only ${allowed.length} CPU is available (${formatCpuList(allowed)}): nothing to separate`);
  const outside = [plan.target, plan.k6].flatMap((list) => parseCpuList(list) ?? []).filter((c) => !allowed.includes(c));
  if (outside.length > 0) return unpinned(`CPU ${formatCpuList(outside)} is outside the CPUs allowed here (${formatCpuList(allowed)})`);
  return { plan, note: null };
}

/** `command args` run on `cpus` through taskset, or unchanged when `cpus` is null. */
export function pinnedCommand(cpus: string | null, command: string, args: string[]): { command: string; args: string[] } {
  return cpus === null ? { command, args } : { command: 'taskset', args: ['-c', cpus, command, ...args] };
}
