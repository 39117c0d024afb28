import { Logger } from '@nestjs/common';
import type { JobStore } from '@conveyor/database';
import type { MessagePublisher } from '@conveyor/messaging';
import { jobRequestedOf } from '../../gateway/src/jobs/job-requested.mapper';

/**
 * The in-process broker keeps messages in memory, so in the embedded mode the committed job row is what
 * makes a 202 durable. At start-up every job that never finished goes back on the bus; the worker's
 * status check and the store's conditional updates make a job that was already running safe to run again.
 */
export async function requeueUnfinishedJobs(jobs: JobStore, publisher: MessagePublisher, logger = new Logger('JobRecovery')): Promise<number> {
  let recovered = 0;
  for (const job of await jobs.listUnfinished(100_000)) {
    await publisher.publish('job.requested', jobRequestedOf(job));
    recovered += 1;
  }
  if (recovered > 0) logger.log(`re-enqueued ${recovered} unfinished job(s) from the database`);
  return recovered;
}
