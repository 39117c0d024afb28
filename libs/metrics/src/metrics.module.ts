import { Global, Module, type DynamicModule } from '@nestjs/common';
import { JobMetrics } from './job.metrics';
import { MetricsController } from './metrics.controller';
import { MetricsRegistry } from './metrics.registry';
import { ProviderMetrics } from './provider.metrics';
import { WebhookMetrics } from './webhook.metrics';

/**
 * The process's registry and the recorders over it, for every feature module of the app (global: the root imports
 * it once). A recorder creates its series on first use, so each service exposes what it records and nothing more.
 */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(registry: MetricsRegistry = new MetricsRegistry()): DynamicModule {
    const recorders = [JobMetrics, ProviderMetrics, WebhookMetrics];
    return {
      module: MetricsModule,
      providers: [{ provide: MetricsRegistry, useValue: registry }, ...recorders],
      exports: [MetricsRegistry, ...recorders],
    };
  }
}

/** `GET /metrics` on the port of an HTTP service: imported by the gateway and the streaming service. */
@Module({ controllers: [MetricsController] })
export class MetricsHttpModule {}
