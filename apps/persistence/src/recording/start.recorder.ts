import { Inject, Injectable } from '@nestjs/common';
import type { JobStarted } from '@conveyor/contracts';
import { JOB_STORE, WriteBatcher, type JobStore } from '@conveyor/database';

/** Marks jobs running, the starts that arrive together in one statement (see WriteBatcher). */
@Injectable()
export class StartRecorder {
  private readonly batches = new WriteBatcher<JobStarted>(async (events) => void (await this.jobs.markStartedMany(events)), { maxBatch: 256, maxInFlight: 2 });

  constructor(@Inject(JOB_STORE) private readonly jobs: JobStore) {}

  record(event: JobStarted): Promise<void> {
    return this.batches.write(event);
  }
}
