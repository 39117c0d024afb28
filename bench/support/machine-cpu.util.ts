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

/** The machine's counters and each process group's CPU at one moment (`at`: epoch ms, as the bench's token stamps). */
interface CpuSnapshot {
  at: number;
  ticks: MachineTicks;
  infra: { rabbitmq: number; postgresql: number };
  procs: Record<string, ProcStats>;
}

async function snapshot(procs: () => Promise<Record<string, ProcStats>>): Promise<CpuSnapshot> {
  const [ticks, infra, p] = await Promise.all([machineTicks(), infraCpuMs(), procs()]);
  return { at: performance.timeOrigin + performance.now(), ticks, infra, procs: p };
}

/** Where the CPU went between two snapshots. */
function splitOf(from: CpuSnapshot, to: CpuSnapshot): CpuSplit {
  const ms: Record<string, number> = {};
  for (const [name, s] of Object.entries(to.procs)) ms[name] = s.cpuMs - (from.procs[name]?.cpuMs ?? 0);
  ms.rabbitmq = to.infra.rabbitmq - from.infra.rabbitmq;
  ms.postgresql = to.infra.postgresql - from.infra.postgresql;
  const total = to.ticks.total - from.ticks.total;
  const busyTicks = to.ticks.busy - from.ticks.busy;
  // The rest of the busy time: the load generator, the upstream mock, the kernel and anything else on the machine.
  const known = Object.values(ms).reduce((a, b) => a + b, 0);
  ms['load generator, mock, other'] = Math.max(0, busyTicks * MS_PER_TICK - known);
  return { busy: total > 0 ? busyTicks / total : 0, ms, elapsedMs: to.at - from.at };
}

/**
 * Reads the machine's busy share and each service's CPU over one phase, so a missed target can say what the CPU
 * was doing: `const phase = await CpuPhase.start(read)`, the load, then `await phase.end(read)`.
 */
export class CpuPhase {
  private constructor(private readonly first: CpuSnapshot) {}

  static async start(procs: () => Promise<Record<string, ProcStats>>): Promise<CpuPhase> {
    return new CpuPhase(await snapshot(procs));
  }

  async end(procs: () => Promise<Record<string, ProcStats>>): Promise<CpuSplit> {
    return splitOf(this.first, await snapshot(procs));
  }
}

/**
 * Snapshots the CPU every `everyMs` while a load runs, so the CPU of a stretch known only afterwards (while every
 * stream was live, say) can be read: `between(from, to)` spans the snapshots inside it.
 */
export class CpuSampler {
  private readonly snapshots: CpuSnapshot[] = [];
  private timer: NodeJS.Timeout | null = null;
  private taking: Promise<void> = Promise.resolve();

  private constructor() {}

  static start(procs: () => Promise<Record<string, ProcStats>>, everyMs: number): CpuSampler {
    const sampler = new CpuSampler();
    // A snapshot that fails (a process gone) is skipped; the next one serves.
    const take = () => {
      sampler.taking = sampler.taking
        .then(() => snapshot(procs))
        .then(
          (s) => void sampler.snapshots.push(s),
          () => undefined,
        );
    };
    take();
    sampler.timer = setInterval(take, everyMs);
    return sampler;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.taking;
  }

  /**
   * The CPU from the first snapshot at or after `from` to the last at or before `to` (epoch ms), with when those two
   * were taken; null if fewer than two fit.
   */
  between(from: number, to: number): { split: CpuSplit; fromMs: number; toMs: number } | null {
    const inside = this.snapshots.filter((s) => s.at >= from && s.at <= to);
    if (inside.length < 2) return null;
    const [first, last] = [inside[0]!, inside[inside.length - 1]!];
    return { split: splitOf(first, last), fromMs: first.at, toMs: last.at };
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
