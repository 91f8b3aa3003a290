/** Run ids: sortable by time, unique across parallel invocations. */
import { randomBytes } from 'node:crypto';

/** `20261122-142501-ab12cd3-9f3e`: UTC time, short git sha, random suffix. */
export function newRunId(sha: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const short = /^[0-9a-f]{7,}$/.test(sha) ? sha.slice(0, 7) : 'nogit';
  return `${stamp}-${short}-${randomBytes(2).toString('hex')}`;
}
