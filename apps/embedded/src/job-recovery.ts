import { Logger } from '@nestjs/common';
import { jobRequestedOf } from '@conveyor/contracts';
import type { JobStore } from '@conveyor/database';
import { jobHeaders, shardOf, type MessagePublisher, type TopologyOptions } from '@conveyor/messaging';

/**
 * The in-process broker keeps messages in memory, so in the embedded mode the committed job row is what
 * makes a 202 durable. At start-up every job that never finished goes back on the bus; the store's conditional
 * updates make a job that was running when the process died safe to run again.
 */
export async function requeueUnfinishedJobs(
  jobs: JobStore,
  publisher: MessagePublisher,
  topology: TopologyOptions,
  tenantWeights: ReadonlyMap<string, number>,
  logger = new Logger('JobRecovery'),
): Promise<number> {
  let recovered = 0;
  for (const job of await jobs.listUnfinished(100_000)) {
    await publisher.publish('job.requested', jobRequestedOf(job, shardOf(job.tenantId, topology)), { headers: jobHeaders(job.tenantId, tenantWeights) });
    recovered += 1;
  }
  if (recovered > 0) logger.log(`re-enqueued ${recovered} unfinished job(s) from the database`);
  return recovered;
}
