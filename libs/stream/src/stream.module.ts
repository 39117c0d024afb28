import { Module } from '@nestjs/common';
import { DatabaseModule, JOB_CHUNK_STORE, JOB_STORE, TENANT_QUOTA_STORE } from '@conveyor/database';
import { JobEventRouter } from './job-event.router';
import { JobStreamController } from './job-stream.controller';
import { QueueStandingService } from './queue-standing.service';
import { StreamLeases } from './stream-leases.service';

/**
 * Job streams for an HTTP service: `GET /v1/jobs/{id}/stream` and the process's routed queue that relays each
 * watched job's events. The gateway and the streaming service both import it; the router is exported for the
 * gateway's synchronous and `stream: true` answers, which follow jobs the same way; the queue standing of its job
 * views; and the per-tenant stream leases every stream holds.
 */
@Module({
  imports: [DatabaseModule.forFeature([JOB_STORE, JOB_CHUNK_STORE, TENANT_QUOTA_STORE])],
  controllers: [JobStreamController],
  providers: [JobEventRouter, QueueStandingService, StreamLeases],
  exports: [JobEventRouter, QueueStandingService, StreamLeases],
})
export class StreamModule {}
