import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { isTerminal, type JobRecord, type NewJob } from '@conveyor/contracts';
import { JOB_CHUNK_STORE, JOB_STORE, type JobChunkStore, type JobStore } from '@conveyor/database';
import { ConveyorException, ErrorCode, hijackForStream } from '@conveyor/http';
import { JobEventRouter, JobStreamSession, StreamLeases, type StreamCursor, type StreamSink } from '@conveyor/stream';
import type { BeforePublish } from '../jobs/jobs.service';

/** Where one client's relay writes: the sink the session feeds, and how the answer starts once the row is read. */
export interface RelayTarget {
  sink: StreamSink;
  /** Runs after the reply is taken over, with the job's row: open the response, send a first frame. */
  open(job: JobRecord): void;
}

/** Builds a client's target for a job; `done` must run when the answer ends (it unbinds and frees the stream slot). */
export type RelayTargetFactory = (jobId: string, done: () => void) => RelayTarget;

interface Prepared {
  session: JobStreamSession;
  target: RelayTarget;
  /** Unbinds the job's events and frees the tenant's stream slot; idempotent. */
  finish: () => Promise<void>;
}

/**
 * Relays one job's events to one client in a format of the caller's choosing, over the same machinery as
 * `GET /v1/jobs/{id}/stream`: the tenant's stream slot (StreamLeases, the per-tenant cap on concurrent streams),
 * the process's routed queue bound to `job.*.<id>` while the client listens, and a JobStreamSession, which fills
 * what the live feed missed from the row and the chunk store, so the text a sink receives always adds up to the
 * stored result. The sink decides the wire format (see each compat surface).
 */
@Injectable()
export class JobRelay {
  constructor(
    private readonly router: JobEventRouter,
    private readonly leases: StreamLeases,
    @Inject(JOB_STORE) private readonly jobs: JobStore,
    @Inject(JOB_CHUNK_STORE) private readonly chunks: JobChunkStore,
  ) {}

  /** A job that exists already (or not: then the job-not-found 404, before anything is sent). */
  async relayExisting(tenantId: string, jobId: string, cursor: StreamCursor, makeTarget: RelayTargetFactory, reply: FastifyReply): Promise<void> {
    // Re-reads the row until a first live event: an end published just before the binding is otherwise never heard.
    const reload = async () => {
      const status = await this.jobs.statusOf(jobId);
      return status && isTerminal(status) ? this.jobs.findForTenant(tenantId, jobId) : null;
    };
    // The tenant's stream slot first: past the cap (a 429) nothing is bound or read.
    const prepared = await this.prepare(await this.leases.acquire(tenantId), jobId, cursor, makeTarget, reload);
    try {
      const job = await this.jobs.findForTenant(tenantId, jobId);
      if (!job) throw ConveyorException.jobNotFound(jobId);
      await this.run(prepared, job, reply);
    } catch (err) {
      await prepared.finish();
      throw err;
    }
  }

  /** Submits through `submit` (JobsService.submit), bound to the job's events before it is published, then relays. */
  async submitAndRelay(
    tenantId: string,
    submit: (beforePublish: BeforePublish) => Promise<NewJob>,
    cursor: StreamCursor,
    makeTarget: RelayTargetFactory,
    reply: FastifyReply,
  ): Promise<void> {
    // The tenant's stream slot before anything is stored: past the cap (a 429) no job is queued.
    const lease = await this.leases.acquire(tenantId);
    let prepared: Prepared | null = null;
    let job: NewJob;
    try {
      job = await submit(async (j) => void (prepared = await this.prepare(lease, j.id, cursor, makeTarget)));
    } catch (err) {
      await ((prepared as Prepared | null)?.finish() ?? lease());
      throw err;
    }
    const ready = prepared as unknown as Prepared;
    const row = await this.jobs.findForTenant(tenantId, job.id).catch(() => null);
    if (!row) {
      await ready.finish();
      throw new ConveyorException(
        ErrorCode.DatabaseUnavailable,
        `Job ${job.id} was queued, but the job store cannot be read to stream it; poll GET /v1/jobs/${job.id}.`,
      );
    }
    await this.run(ready, row, reply);
  }

  /** Binds the job's events for a client holding `lease`, one of its tenant's stream slots. */
  private async prepare(
    lease: () => Promise<void>,
    jobId: string,
    cursor: StreamCursor,
    makeTarget: RelayTargetFactory,
    reload?: () => Promise<JobRecord | null>,
  ): Promise<Prepared> {
    let unbind: (() => Promise<void>) | null = null;
    let finished: Promise<void> | null = null;
    const finish = () => (finished ??= Promise.all([unbind?.(), lease()]).then(() => undefined));
    try {
      const target = makeTarget(jobId, () => void finish());
      const session = new JobStreamSession(jobId, cursor, this.chunks, target.sink, reload && { reload });
      unbind = await this.router.watch(jobId, session.onEvent);
      return { session, target, finish };
    } catch (err) {
      await finish();
      throw err;
    }
  }

  private async run({ session, target }: Prepared, job: JobRecord, reply: FastifyReply): Promise<void> {
    hijackForStream(reply);
    target.open(job);
    try {
      await session.run(job);
    } catch {
      target.sink.close(); // a client of a resumable format resumes from its last id
    }
  }
}
