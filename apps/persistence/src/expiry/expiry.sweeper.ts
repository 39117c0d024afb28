import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SerialInterval } from '@conveyor/bootstrap';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import { JOB_STORE, type JobStore } from '@conveyor/database';
import { MessagePublisher } from '@conveyor/messaging';
import { JobMetrics } from '@conveyor/metrics';

/** Queued jobs expired per sweep, at most: a backlog past its deadline drains over a few sweeps, not one huge write. */
const BATCH = 1_000;
/** How long a job's expiry counts as sent: past this, a job still queued is expired again (its outcome was lost). */
const RESEND_AFTER_MS = 60_000;

/**
 * Ends the queued jobs whose `expires_at` has passed, so a deadline holds even when no worker reaches the job (a
 * backlog, or no worker of its band at all). Each is ended the way a worker ends a job: a `job.outcome` of type
 * `job.expired`, which this service's own recorder writes and then announces — one durable path, redelivered after
 * a crash. A worker that meets an expired job first does the same; the second outcome changes nothing. Several
 * persistence replicas may sweep the same jobs: the duplicate outcomes are as harmless.
 */
@Injectable()
export class ExpirySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ExpirySweeper.name);
  private readonly sent = new Map<string, number>();
  private readonly loop = new SerialInterval(
    () => this.sweep(),
    (err) => this.logger.warn(`expiry sweep failed: ${err.message}`),
  );

  constructor(
    @Inject(JOB_STORE) private readonly jobs: JobStore,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
    private readonly publisher: MessagePublisher,
    private readonly metrics: JobMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start(this.config.jobQueues.expirySweepMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** One pass: answers how many expiries it sent. */
  async sweep(now = Date.now()): Promise<number> {
    for (const [id, at] of this.sent) if (now - at > RESEND_AFTER_MS) this.sent.delete(id);
    const due = (await this.jobs.dueToExpire(BATCH, new Date(now))).filter((job) => !this.sent.has(job.id));
    const expiredAt = new Date(now).toISOString();
    await Promise.all(
      due.map(async (job) => {
        await this.publisher.publish('job.outcome', { type: 'job.expired', event: { job_id: job.id, tenant_id: job.tenantId, expired_at: expiredAt } });
        this.sent.set(job.id, now);
        this.metrics.finished('expired', job.model, job.priority);
      }),
    );
    if (due.length > 0) this.logger.log(`${due.length} queued job(s) passed their expires_at: expiring them`);
    return due.length;
  }
}
