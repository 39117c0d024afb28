import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import { allOfType, type JobCancelled, type JobExpired } from '@conveyor/contracts';
import { JOB_STORE, type JobStore } from '@conveyor/database';
import { BROKER_CLIENT, Exchanges, listenerOf, type BrokerClient, type RoutedListener } from '@conveyor/messaging';
import { CancellationRegistry } from './cancellation.registry';
import { TombstoneRegistry } from './tombstone.registry';

/**
 * Keeps the tombstone registry current: every `job.cancelled` of a job that never started (a queued job cancelled
 * through the gateway) and every `job.expired` (a queued job whose deadline passed) is heard on a queue of this
 * worker's own; at start-up, the jobs that ended that way within JOB_TOMBSTONE_TTL_MS are loaded with one query, so
 * a worker that starts later knows them too. A job this worker began before its row said so (the row still read
 * queued when it was cancelled) is stopped: its result could no longer be written.
 */
@Injectable()
export class TombstoneListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TombstoneListener.name);
  private listener?: RoutedListener;

  constructor(
    @Inject(BROKER_CLIENT) private readonly broker: BrokerClient,
    @Inject(JOB_STORE) private readonly jobs: JobStore,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
    private readonly tombstones: TombstoneRegistry,
    private readonly cancellations: CancellationRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const ended = (jobId: string, how: string) => {
      this.tombstones.add(jobId);
      if (this.cancellations.stop(jobId)) this.logger.log(`job ${jobId} was ${how} while queued, as it started here; stopping it`);
    };
    const onCancelled = (event: JobCancelled) => {
      if (!event.partial) ended(event.job_id, 'cancelled');
    };
    const onExpired = (event: JobExpired) => ended(event.job_id, 'expired');
    this.listener = await this.broker.listenRouted(
      Exchanges.events,
      listenerOf({ 'job.cancelled': onCancelled, 'job.expired': onExpired }, this.logger, this.broker.kind),
    );
    await this.listener.bind(allOfType('job.cancelled'));
    await this.listener.bind(allOfType('job.expired'));
    const since = new Date(Date.now() - this.config.worker.tombstoneTtlMs);
    for (const id of await this.jobs.endedUnstartedSince(since, 100_000)) this.tombstones.add(id);
    if (this.tombstones.size > 0) this.logger.log(`${this.tombstones.size} job(s) ended before they ran: their messages will be skipped`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.cancel();
  }
}
