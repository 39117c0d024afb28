import { readFile } from 'node:fs/promises';
import { infraCpuMs } from './infra-cpu.util';
import type { ProcStats } from '../../test/support/proc-stats.util';

/** /proc/stat counts in USER_HZ, 100 per second on every Linux this runs on. */
const MS_PER_TICK = 10;

/** The whole machine's CPU counters (Linux /proc/stat, first line), in clock ticks. */
interface MachineTicks {
  busy: number;
  total: number;
}

async function machineTicks(): Promise<MachineTicks> {
  const first = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!;
  // cpu user nice system idle iowait irq softirq steal …: idle and iowait are the time nobody could use.
  const ticks = first.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  return { busy: total - ticks[3]! - ticks[4]!, total };
}

/** Where the machine's CPU went over a phase: its busy share, and CPU-ms by Conveyor service, RabbitMQ and PostgreSQL. */
export interface CpuSplit {
  /** Busy share of all cores, 0–1. */
  busy: number;
  /** CPU-ms per process group over the phase. */
  ms: Record<string, number>;
  /** How long the phase lasted. */
  elapsedMs: number;
}

/**
 * Reads the machine's busy share and each service's CPU over one phase, so a missed target can say what the CPU
 * was doing: `const phase = await CpuPhase.start(read)`, the load, then `await phase.end(read)`.
 */
export class CpuPhase {
  private constructor(
    private readonly ticks: MachineTicks,
    private readonly infra: { rabbitmq: number; postgresql: number },
    private readonly procs: Record<string, ProcStats>,
    private readonly at = performance.now(),
  ) {}

  static async start(procs: () => Promise<Record<string, ProcStats>>): Promise<CpuPhase> {
    const [ticks, infra, p] = await Promise.all([machineTicks(), infraCpuMs(), procs()]);
    return new CpuPhase(ticks, infra, p);
  }

  async end(procs: () => Promise<Record<string, ProcStats>>): Promise<CpuSplit> {
    const [ticks, infra, p] = await Promise.all([machineTicks(), infraCpuMs(), procs()]);
    const ms: Record<string, number> = {};
    for (const [name, s] of Object.entries(p)) ms[name] = s.cpuMs - (this.procs[name]?.cpuMs ?? 0);
    ms.rabbitmq = infra.rabbitmq - this.infra.rabbitmq;
    ms.postgresql = infra.postgresql - this.infra.postgresql;
    const total = ticks.total - this.ticks.total;
    const busyTicks = ticks.busy - this.ticks.busy;
    // The rest of the busy time: the load generator, the upstream mock, the kernel and anything else on the machine.
    const known = Object.values(ms).reduce((a, b) => a + b, 0);
    ms['load generator, mock, other'] = Math.max(0, busyTicks * MS_PER_TICK - known);
    return { busy: total > 0 ? busyTicks / total : 0, ms, elapsedMs: performance.now() - this.at };
  }
}

/**
 * "machine 97 % busy (all cores); cores used: inference-0 0.82, rabbitmq 0.31, …": each group's CPU over the phase
 * in cores (one Node process can use at most about one), largest first.
 */
export function describeCpu(split: CpuSplit, top = 4): string {
  const parts = Object.entries(split.ms)
    .filter(([, ms]) => ms > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => `${name} ${(ms / split.elapsedMs).toFixed(2)}`);
  return `machine ${Math.round(split.busy * 100)} % busy (all cores); cores used: ${parts.join(', ')}`;
}
