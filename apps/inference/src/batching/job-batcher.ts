import { Logger } from '@nestjs/common';
import { uuidv7, type JobRequested } from '@conveyor/contracts';
import { Outcome, type DeliveryContext, type HandlerOutcome } from '@conveyor/messaging';
import { BatchCollector } from './batch-collector';
import { neverStarted, settleWith, type BatchMember, type BatchOf, type JobBatcherDeps } from './batch-member';
import type { BatchPlan } from './batch-policy';
import { CombinedBatchRunner } from './combined-batch.runner';

export type { BatchMemberRunner, JobBatcherDeps } from './batch-member';

/**
 * Gathers a worker's batchable jobs in seed 002's windows and runs each batch (docs/batching.md). A job waiting in
 * a window holds no slot but keeps its message unacked; every member's message is settled only once that job's
 * own outcome is confirmed, so a worker killed while holding a batch hands every job of it back to the queue.
 */
export class JobBatcher {
  private readonly logger = new Logger(JobBatcher.name);
  private readonly collector = new BatchCollector<BatchMember>((members) => void this.runBatch(members));
  private readonly combined: CombinedBatchRunner;

  constructor(private readonly deps: JobBatcherDeps) {
    this.combined = new CombinedBatchRunner(deps);
  }

  /** Parks the job in its batch; answers the outcome that settles its message once its batch has run. */
  join(job: JobRequested, ctx: DeliveryContext, plan: BatchPlan): Promise<HandlerOutcome> {
    return new Promise<HandlerOutcome>((resolve) => {
      const member: BatchMember = {
        job,
        ctx,
        plan,
        cancel: this.deps.cancellations.begin(job.job_id, job.tenant_id),
        claimed: false,
        settled: false,
        settle: (outcome) => {
          if (member.settled) return;
          member.settled = true;
          this.deps.tombstones.unwatch(job.job_id);
          this.deps.cancellations.end(job.job_id);
          resolve(outcome);
        },
      };
      // Cancelled (or expired) as a queued job: the row says so already, so a job still in its window is let go
      // with nothing to publish. One whose combined call began is stopped by the tombstone listener, as any job is.
      this.deps.tombstones.watch(job.job_id, () => {
        if (!this.collector.remove(plan.key, member)) return;
        member.claimed = true;
        member.settle(Outcome.ack());
      });
      // A cancel request (a redelivered job's row says running) ends a job still in its window at once.
      member.cancel.signal.addEventListener(
        'abort',
        () => {
          if (this.collector.remove(plan.key, member)) void settleWith(member, () => this.deps.members.cancelled(job, '', null));
        },
        { once: true },
      );
      ctx.slot?.release();
      this.collector.add(plan.key, plan.window, member);
    });
  }

  private async runBatch(gathered: BatchMember[]): Promise<void> {
    const live: BatchMember[] = [];
    for (const member of gathered) {
      const { job } = member;
      if (this.deps.tombstones.has(job.job_id)) await settleWith(member, () => Promise.resolve(Outcome.ack()));
      else if (neverStarted(member) && job.expires_at !== undefined && Date.parse(job.expires_at) <= Date.now())
        await settleWith(member, () => this.deps.members.expire(job));
      else if (member.cancel.signal.aborted) await settleWith(member, () => this.deps.members.cancelled(job, '', null));
      else live.push(member);
    }
    if (live.length === 0) return;
    const { mode } = live[0]!.plan;
    const id = uuidv7();
    const batchOf: BatchOf = (index, fallback = false) => ({ id, mode, size: live.length, index, fallback });
    this.logger.log(`batch ${id}: ${live.length} ${live[0]!.plan.band} job(s) of one tenant, ${mode}`);
    if (mode === 'concurrent' || live.length === 1) {
      await Promise.all(live.map((m, i) => settleWith(m, () => this.deps.members.runOne(m.job, m.ctx, batchOf(i)))));
      return;
    }
    await this.combined.run(live, batchOf);
  }
}
