import { Module } from '@nestjs/common';
import { DatabaseModule, JOB_STORE } from '@conveyor/database';
import { StreamModule } from '@conveyor/stream';
import { WebhookRoutingModule } from '@conveyor/webhooks';
import { AdmissionModule } from '../admission/admission.module';
import { JobCompletionWaiter } from './job-completion.waiter';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';
import { OrphanedJobsSweeper } from './orphaned-jobs.sweeper';
import { ReplyInbox } from './reply.inbox';
import { UnacceptedJobsReaper } from './unaccepted-jobs.reaper';

/** Submitting, reading, listing and cancelling jobs, and the orphan sweep; exports the submit use case and the completion waiter. */
@Module({
  imports: [DatabaseModule.forFeature([JOB_STORE]), StreamModule, AdmissionModule, WebhookRoutingModule],
  controllers: [JobsController],
  providers: [JobsService, JobCompletionWaiter, ReplyInbox, UnacceptedJobsReaper, OrphanedJobsSweeper],
  exports: [JobsService, JobCompletionWaiter],
})
export class JobsModule {}
