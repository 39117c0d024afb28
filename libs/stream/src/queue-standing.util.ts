import { PRIORITY_BANDS, type PriorityBand } from '@conveyor/contracts';
import type { QueuedCount } from '@conveyor/database';

/** Where a queued job stands: jobs of its band that start before it, and jobs of higher bands (all start first). */
export interface Standing {
  /** 1: the next of its band to start. */
  position: number;
  aheadInHigherBands: number;
}

export interface StandingInputs {
  band: PriorityBand;
  shardOfTenant: (tenantId: string) => number;
  weightOf: (tenantId: string) => number;
  ownShard: number;
}

/** The bands whose queued jobs start before a job of `band`: those above it, and its own. */
export function bandsFrom(band: PriorityBand): PriorityBand[] {
  return PRIORITY_BANDS.slice(0, PRIORITY_BANDS.indexOf(band) + 1);
}

/**
 * A queued job's standing under the intake's rules: every queued job of a higher band starts first; within the
 * band, its shard queue is FIFO, so the jobs queued before it there start first; and the scheduler serves the
 * band's shards in a weighted round robin, so while those k jobs and this one start, a shard of weight w against
 * this shard's weight w₀ starts about (k + 1)·w/w₀ of its own, or all it holds if fewer. An estimate: jobs queued
 * later in other shards can still interleave, and retried jobs are not in the queued counts.
 */
export function standingOf(counts: readonly QueuedCount[], inputs: StandingInputs): Standing {
  let aheadInHigherBands = 0;
  let ownBefore = 0;
  const others = new Map<number, { total: number; weight: number }>();
  let ownWeight = 1;
  for (const c of counts) {
    if (c.band !== inputs.band) {
      aheadInHigherBands += c.total;
      continue;
    }
    const shard = inputs.shardOfTenant(c.tenantId);
    const weight = inputs.weightOf(c.tenantId);
    if (shard === inputs.ownShard) {
      ownBefore += c.before;
      ownWeight = Math.max(ownWeight, weight);
      continue;
    }
    const other = others.get(shard) ?? { total: 0, weight: 1 };
    others.set(shard, { total: other.total + c.total, weight: Math.max(other.weight, weight) });
  }
  let interleaved = 0;
  for (const { total, weight } of others.values()) interleaved += Math.min(total, Math.floor(((ownBefore + 1) * weight) / ownWeight));
  return { position: ownBefore + interleaved + 1, aheadInHigherBands };
}
