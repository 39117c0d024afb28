import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { WEBHOOK_DELIVERIES } from './metric-definitions';
import { MetricsRegistry } from './metrics.registry';

/** What followed a webhook attempt: the delivery succeeded, will be retried, or ended without success. */
export type WebhookAttemptOutcome = 'succeeded' | 'retrying' | 'dead';

@Injectable()
export class WebhookMetrics {
  private deliveries?: Counter<'outcome'>;

  constructor(private readonly metrics: MetricsRegistry) {}

  attempted(outcome: WebhookAttemptOutcome): void {
    (this.deliveries ??= this.metrics.counter(WEBHOOK_DELIVERIES)).labels(outcome).inc();
  }
}
