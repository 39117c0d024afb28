import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { allOfType } from '@conveyor/contracts';
import { BROKER_CLIENT, Exchanges, listenerOf, type BrokerClient, type Subscription } from '@conveyor/messaging';
import { WatchedJobs } from './watched-jobs.registry';

/** Hears the watches broadcast to every worker and starts the job's chunks if it runs here. */
@Injectable()
export class JobWatchListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobWatchListener.name);
  private subscription?: Subscription;

  constructor(
    @Inject(BROKER_CLIENT) private readonly broker: BrokerClient,
    private readonly watched: WatchedJobs,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const listener = listenerOf({ 'job.watch': ({ job_id: jobId }) => void this.watched.watch(jobId) }, this.logger, this.broker.kind);
    this.subscription = await this.broker.listen(Exchanges.events, allOfType('job.watch'), listener);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.cancel().catch(() => undefined);
  }
}
