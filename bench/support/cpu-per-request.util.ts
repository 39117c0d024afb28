import type { ProcStats } from '../../test/support/proc-stats.util';

/**
 * CPU milliseconds each process spent per request between two `cluster.stats()` snapshots taken around a phase
 * (user + system time from /proc, which ticks in 10 ms steps: run phases long enough for that not to matter).
 */
export function cpuMsPerRequest(before: Record<string, ProcStats>, after: Record<string, ProcStats>, requests: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, end] of Object.entries(after)) {
    const start = before[name];
    if (start && requests > 0) out[name] = (end.cpuMs - start.cpuMs) / requests;
  }
  return out;
}
