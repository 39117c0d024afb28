import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { allOfType } from '@conveyor/contracts';
import { BROKER_CLIENT, Exchanges, listenerOf, type BrokerClient, type Subscription } from '@conveyor/messaging';
import { CancellationRegistry } from './cancellation.registry';

/** Hears the cancel requests broadcast to every worker and aborts the job if it runs here. */
@Injectable()
export class CancelRequestsListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CancelRequestsListener.name);
  private subscription?: Subscription;

  constructor(
    @Inject(BROKER_CLIENT) private readonly broker: BrokerClient,
    private readonly registry: CancellationRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const onCancelRequested = ({ job_id: jobId }: { job_id: string }) => {
      if (this.registry.cancel(jobId)) this.logger.log(`cancelling job ${jobId}`);
    };
    const listener = listenerOf({ 'job.cancel_requested': onCancelRequested }, this.logger, this.broker.kind);
    this.subscription = await this.broker.listen(Exchanges.events, allOfType('job.cancel_requested'), listener);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.cancel().catch(() => undefined);
  }
}
