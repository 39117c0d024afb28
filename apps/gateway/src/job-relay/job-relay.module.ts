import { Module } from '@nestjs/common';
import { DatabaseModule, JOB_CHUNK_STORE, JOB_STORE } from '@conveyor/database';
import { StreamModule } from '@conveyor/stream';
import { JobRelay } from './job-relay.service';

/** Relays of a job's events in other formats than Conveyor's own SSE (the seeds' streams), for the compat surfaces. */
@Module({
  imports: [DatabaseModule.forFeature([JOB_STORE, JOB_CHUNK_STORE]), StreamModule],
  providers: [JobRelay],
  exports: [JobRelay],
})
export class JobRelayModule {}
