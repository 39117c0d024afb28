import { readFile, readdir } from 'node:fs/promises';
import { parseStatLine, type StatLine } from '../../test/support/proc-stats.util';

interface Proc extends StatLine {
  pid: number;
}

async function processes(): Promise<Proc[]> {
  const out: Proc[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => null);
    if (stat) out.push({ pid: Number(entry), ...parseStatLine(stat) });
  }
  return out;
}

/** Total CPU a process tree has used: every live member's own time plus the root's reaped children. */
function treeMs(all: Proc[], root: Proc): number {
  const members = new Set([root.pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of all) if (!members.has(p.pid) && members.has(p.ppid)) grew = members.add(p.pid) !== null;
  }
  return all.filter((p) => members.has(p.pid)).reduce((sum, p) => sum + p.selfMs, 0) + root.childrenMs;
}

/**
 * CPU used so far by the local RabbitMQ (the beam.smp tree) and PostgreSQL (the postmaster, its live backends,
 * and the backends that have exited, which the kernel adds to the postmaster's children time). Both servers
 * are shared, so a difference of two readings includes anyone else's load in between.
 */
export async function infraCpuMs(): Promise<{ rabbitmq: number; postgresql: number }> {
  const all = await processes();
  const beam = all.filter((p) => p.comm.startsWith('beam')).reduce((sum, p) => sum + treeMs(all, p), 0);
  const postmaster = all.find((p) => p.comm === 'postgres' && !all.some((q) => q.pid === p.ppid && q.comm === 'postgres'));
  return { rabbitmq: beam, postgresql: postmaster ? treeMs(all, postmaster) : Number.NaN };
}
