import { Module } from '@nestjs/common';
import { DatabaseModule, JOB_STORE } from '@conveyor/database';
import { MetricsHttpModule } from '@conveyor/metrics';
import { HealthController } from './health.controller';
import { QueueDepthGauges } from './queue-depth.gauges';

/** Operations: liveness and readiness, and `GET /metrics` with the per-band queue depth among its series. */
@Module({
  imports: [DatabaseModule.forFeature([JOB_STORE]), MetricsHttpModule],
  controllers: [HealthController],
  providers: [QueueDepthGauges],
})
export class HealthModule {}
