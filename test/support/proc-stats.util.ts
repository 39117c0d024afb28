import { readFile } from 'node:fs/promises';

/** What the kernel has counted for one process so far (Linux /proc). */
export interface ProcStats {
  /** User + system CPU time, in milliseconds. */
  cpuMs: number;
  /** Peak resident set size (VmHWM), in bytes. */
  peakRssBytes: number;
  /** Current resident set size (VmRSS), in bytes. */
  rssBytes: number;
}

/** Clock ticks per second for /proc/<pid>/stat times: 100 on every Linux this runs on (`getconf CLK_TCK`). */
const CLK_TCK = 100;

/** Reads /proc/<pid>/stat and /proc/<pid>/status; null if the process is gone. */
export async function procStats(pid: number): Promise<ProcStats | null> {
  try {
    const [stat, status] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/status`, 'utf8')]);
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of the whole line)
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { cpuMs: (ticks * 1000) / CLK_TCK, peakRssBytes: kb('VmHWM'), rssBytes: kb('VmRSS') };
  } catch {
    return null;
  }
}
