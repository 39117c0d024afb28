import { Injectable } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { PROVIDER_CALLS, PROVIDER_LATENCY } from './metric-definitions';
import { MetricsRegistry } from './metrics.registry';

/** Calls to model deployments (the catalogue's ids), as the router makes them: one per try, fallbacks included. */
@Injectable()
export class ProviderMetrics {
  private calls?: Counter<'deployment' | 'provider' | 'outcome'>;
  private latency?: Histogram<'deployment' | 'provider'>;

  constructor(private readonly metrics: MetricsRegistry) {}

  call(deployment: string, provider: string, outcome: 'ok' | 'error' | 'aborted', latencyMs: number): void {
    (this.calls ??= this.metrics.counter(PROVIDER_CALLS)).labels(deployment, provider, outcome).inc();
    (this.latency ??= this.metrics.histogram(PROVIDER_LATENCY)).labels(deployment, provider).observe(latencyMs / 1000);
  }
}
