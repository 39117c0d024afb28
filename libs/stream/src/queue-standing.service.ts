import { Inject, Injectable } from '@nestjs/common';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import type { JobRecord, QueueStandingView } from '@conveyor/contracts';
import { JOB_STORE, type JobStore } from '@conveyor/database';
import { shardOf, topologyOf, type TopologyOptions } from '@conveyor/messaging';
import { bandsFrom, standingOf } from './queue-standing.util';

/** The window the start rate is measured over: long enough to smooth bursts, short enough to follow a change. */
const RATE_WINDOW_MS = 30_000;

/**
 * Answers where a queued job stands (GET /v1/jobs/{id}, /status, and a stream's `queued` events): two reads, the
 * queued counts per tenant of its band and the bands above, and how many jobs started in the last RATE_WINDOW_MS.
 */
@Injectable()
export class QueueStandingService {
  private readonly topology: TopologyOptions;

  constructor(
    @Inject(JOB_STORE) private readonly jobs: JobStore,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
  ) {
    this.topology = topologyOf(config);
  }

  /** Null for a job that is not queued (any more). */
  async of(job: Pick<JobRecord, 'id' | 'tenantId' | 'priority' | 'status'>, now = new Date()): Promise<QueueStandingView | null> {
    if (job.status !== 'queued') return null;
    const [counts, started] = await Promise.all([
      this.jobs.queuedCounts(bandsFrom(job.priority), job.id),
      this.jobs.startedSince(new Date(now.getTime() - RATE_WINDOW_MS)),
    ]);
    const weights = this.config.jobQueues.tenantWeights;
    const standing = standingOf(counts, {
      band: job.priority,
      ownShard: shardOf(job.tenantId, this.topology),
      shardOfTenant: (tenantId) => shardOf(tenantId, this.topology),
      weightOf: (tenantId) => weights.get(tenantId) ?? 1,
    });
    const perMs = started / RATE_WINDOW_MS;
    const etaMs = perMs > 0 ? (standing.aheadInHigherBands + standing.position) / perMs : null;
    return {
      position: standing.position,
      ahead_in_higher_bands: standing.aheadInHigherBands,
      estimated_start_at: etaMs === null ? null : new Date(now.getTime() + Math.round(etaMs)).toISOString(),
    };
  }
}
