import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { BROKER_CLIENT, type BrokerClient } from '@conveyor/messaging';
import { MetricsRegistry, watchQueueDepth } from '@conveyor/metrics';

/**
 * Per-band queue depth for Prometheus, read from the broker on scrape (a passive declare per shard queue), never per
 * job. The gateway exposes it: every deployment has one, and it already reads depths for `/stats`.
 */
@Injectable()
export class QueueDepthGauges implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsRegistry,
    @Inject(BROKER_CLIENT) private readonly broker: BrokerClient,
  ) {}

  onModuleInit(): void {
    watchQueueDepth(this.metrics, () => this.broker.queueDepths());
  }
}
