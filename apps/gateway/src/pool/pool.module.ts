import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { JobRelayModule } from '../job-relay/job-relay.module';
import { CompleteController } from './complete.controller';

/** Seed 003's LLM pool API: `POST /complete` and `POST /complete/stream`, over the model groups of the catalogue. */
@Module({
  imports: [JobsModule, JobRelayModule],
  controllers: [CompleteController],
})
export class PoolModule {}
