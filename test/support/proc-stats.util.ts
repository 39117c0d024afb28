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

/** What one line of /proc/<pid>/stat says about a process's CPU. */
export interface StatLine {
  comm: string;
  ppid: number;
  /** Its own user + system time, in ms. */
  selfMs: number;
  /** The user + system time of its children that have exited and been reaped, in ms. */
  childrenMs: number;
}

export function parseStatLine(stat: string): StatLine {
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ms = (a: number, b: number) => ((Number(fields[a]) + Number(fields[b])) * 1000) / CLK_TCK;
  // utime, stime, cutime, cstime: fields 14–17 of the whole line.
  return { comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ppid: Number(fields[1]), selfMs: ms(11, 12), childrenMs: ms(13, 14) };
}

/** Reads /proc/<pid>/stat and /proc/<pid>/status; null if the process is gone. */
export async function procStats(pid: number): Promise<ProcStats | null> {
  try {
    const [stat, status] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/status`, 'utf8')]);
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { cpuMs: parseStatLine(stat).selfMs, peakRssBytes: kb('VmHWM'), rssBytes: kb('VmRSS') };
  } catch {
    return null;
  }
}
