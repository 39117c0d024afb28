import { Module } from '@nestjs/common';
import { DatabaseModule, DEAD_LETTER_STORE, JOB_CHUNK_STORE, JOB_STORE } from '@conveyor/database';
import { WebhookRoutingModule } from '@conveyor/webhooks';
import { DeadJobsHandler } from './dead-jobs.handler';
import { ExpirySweeper } from './expiry/expiry.sweeper';
import { JobDeltasHandler } from './job-deltas.handler';
import { JobOutcomesHandler } from './job-outcomes.handler';
import { OutcomeRecorder } from './recording/outcome.recorder';
import { StartRecorder } from './recording/start.recorder';

/**
 * The persistence service: workers' outcomes and starts in, PostgreSQL rows and then the jobs' terminal events out;
 * the dead-lettered jobs (recorded, and failed); and the sweep that expires queued jobs past their deadline.
 */
@Module({
  imports: [DatabaseModule.forFeature([JOB_STORE, JOB_CHUNK_STORE, DEAD_LETTER_STORE]), WebhookRoutingModule],
  controllers: [JobOutcomesHandler, DeadJobsHandler, JobDeltasHandler],
  providers: [OutcomeRecorder, StartRecorder, ExpirySweeper],
})
export class PersistenceModule {}
