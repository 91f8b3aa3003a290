/** What machine a run was taken on, and its class for comparing with baselines. */
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';

export interface MachineInfo {
  /** `<cpus>cpu-<arch>-<model slug>`: runs compare only within one class. */
  class: string;
  cpus: number;
  model: string;
  memGiB: number;
  os: string;
  node: string;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  const model = (list[0]?.model ?? 'unknown').replace(/\s+/g, ' ').trim();
  const slug = model
    .toLowerCase()
    .replace(/\(r\)|\(tm\)|cpu|processor|@.*$/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return {
    class: `${list.length}cpu-${arch()}-${slug || 'unknown'}`,
    cpus: list.length,
    model,
    memGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${platform()} ${release()}`,
    node: process.version,
  };
}

/** The 1, 5 and 15-minute load averages, e.g. `0.52 0.41 0.30`: recorded with every measured figure. */
export function loadAverage(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
}
