import { readFile, readdir } from 'node:fs/promises';

const CLK_TCK = 100;

interface Proc {
  pid: number;
  ppid: number;
  comm: string;
  /** Own utime + stime, and the reaped children's cutime + cstime, in ms. */
  selfMs: number;
  childrenMs: number;
}

async function processes(): Promise<Proc[]> {
  const out: Proc[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => null);
    if (!stat) continue;
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.push({
      pid: Number(entry),
      ppid: Number(f[1]),
      comm,
      selfMs: ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK,
      childrenMs: ((Number(f[13]) + Number(f[14])) * 1000) / CLK_TCK,
    });
  }
  return out;
}

/** Total CPU a process tree has used: every live member's own time plus the root's reaped children. */
function treeMs(all: Proc[], root: Proc): number {
  const members = new Set([root.pid]);
  for (let grew = true; grew; ) {
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
