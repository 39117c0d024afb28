import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { allOfType, parseMessage } from '@conveyor/contracts';
import { BROKER_CLIENT, Exchanges, type BrokerClient, type Subscription } from '@conveyor/messaging';
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
    this.subscription = await this.broker.listen(Exchanges.events, allOfType('job.cancel_requested'), (message) => {
      let data: unknown;
      try {
        data = JSON.parse(message.body.toString('utf8'));
      } catch {
        return this.logger.warn('ignoring a cancel request that is not JSON');
      }
      const parsed = parseMessage('job.cancel_requested', data);
      if (!parsed.ok) return this.logger.warn(`ignoring an invalid cancel request: ${parsed.error}`);
      if (this.registry.cancel(parsed.payload.job_id)) this.logger.log(`cancelling job ${parsed.payload.job_id}`);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.cancel().catch(() => undefined);
  }
}
