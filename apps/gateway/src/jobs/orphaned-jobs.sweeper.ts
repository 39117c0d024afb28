import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SerialInterval } from '@conveyor/bootstrap';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import { jobRequestedOf, type JobRecord } from '@conveyor/contracts';
import { JOB_STORE, type JobStore } from '@conveyor/database';
import { jobHeaders, MessagePublisher, shardOf, topologyOf, type TopologyOptions } from '@conveyor/messaging';

/** Orphans sent per sweep, at most: a large backlog of them drains over a few sweeps, each one short transaction. */
const BATCH = 200;

/**
 * Re-publishes orphaned jobs: rows committed by a gateway that died before the broker confirmed their message.
 * Such a job was never answered with a 202, but its row exists (a retry with its Idempotency-Key adopts it, and it
 * shows in the tenant's list), so it is sent once more rather than left `queued` for ever. The first message may
 * exist all the same (the gateway died after the confirm but before recording it): the copy is marked
 * `republished`, and a worker runs it only while the job is still queued. Replicas sweep side by side: each locks
 * the rows it sends (FOR UPDATE SKIP LOCKED) until they are marked. RabbitMQ only: the embedded in-process bus
 * keeps nothing across a restart, and its start-up re-enqueues every unfinished job anyway.
 */
@Injectable()
export class OrphanedJobsSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OrphanedJobsSweeper.name);
  private readonly topology: TopologyOptions;
  private readonly loop = new SerialInterval(
    () => this.sweep(),
    (err) => this.logger.warn(`orphan sweep failed: ${err.message}`),
  );

  constructor(
    @Inject(JOB_STORE) private readonly jobs: JobStore,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
    private readonly publisher: MessagePublisher,
  ) {
    this.topology = topologyOf(config);
  }

  onApplicationBootstrap(): void {
    if (!this.config.broker.url) return;
    this.loop.start(this.config.jobQueues.orphanSweepMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** One pass: answers how many orphans it re-published. */
  async sweep(now = Date.now()): Promise<number> {
    if (!this.publisher.isReady()) return 0;
    const before = new Date(now - this.config.jobQueues.orphanAfterMs);
    const sent = await this.jobs.republishOrphans(before, BATCH, (orphans) => this.publishAll(orphans));
    if (sent > 0) this.logger.warn(`${sent} queued job(s) had no confirmed message (their gateway stopped before the broker's confirm): re-published`);
    return sent;
  }

  /** Publishes each orphan; answers the ids the broker confirmed (the rest stay orphans, for the next sweep). */
  private async publishAll(orphans: JobRecord[]): Promise<string[]> {
    const results = await Promise.allSettled(
      orphans.map(async (job) => {
        await this.publisher.publish(
          'job.requested',
          { ...jobRequestedOf(job, shardOf(job.tenantId, this.topology)), republished: true },
          { headers: jobHeaders(job.tenantId, this.config.jobQueues.tenantWeights) },
        );
        this.logger.log(`job ${job.id}: re-published (queued since ${job.createdAt.toISOString()} without a confirmed message)`);
        return job.id;
      }),
    );
    const failed = results.filter((r) => r.status === 'rejected');
    if (failed.length > 0) this.logger.warn(`${failed.length} orphan(s) not re-published yet: ${(failed[0] as PromiseRejectedResult).reason}`);
    return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  }
}
