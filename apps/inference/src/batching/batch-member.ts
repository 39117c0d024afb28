import type { ConveyorConfig } from '@conveyor/config';
import type { JobBatch, JobRequested, JobResult, ProviderAttempt, Usage } from '@conveyor/contracts';
import { Outcome, type DeliveryContext, type HandlerOutcome, type MessagePublisher } from '@conveyor/messaging';
import type { CancellationRegistry } from '../cancellation/cancellation.registry';
import type { TombstoneRegistry } from '../cancellation/tombstone.registry';
import type { WatchedJobs } from '../streaming/watched-jobs.registry';
import type { ModelRouter, RoutingError } from '../routing/model-router.service';
import type { BatchPlan } from './batch-policy';

/** The single-job ends the batcher settles its members with (JobRunner's). */
export interface BatchMemberRunner {
  runOne(job: JobRequested, ctx: DeliveryContext, batch: JobBatch | null, extraUsage?: Usage): Promise<HandlerOutcome>;
  /** Counts a run's start; `runStart` (epoch ms) is when it began. */
  recordStart(job: JobRequested, attempt: number, runStart: number): void;
  complete(
    job: JobRequested,
    attempt: number,
    startedAt: string,
    result: JobResult,
    attemptsLog: ProviderAttempt[],
    batch: JobBatch | null,
    runStart?: number,
  ): Promise<void>;
  cancelled(job: JobRequested, partialText: string, batch: JobBatch | null, runStart?: number): Promise<HandlerOutcome>;
  failFor(job: JobRequested, attempt: number, err: RoutingError, batch: JobBatch | null, runStart?: number): Promise<HandlerOutcome>;
  fail(job: JobRequested, attempt: number, ctx: DeliveryContext, err: Error, batch: JobBatch | null, runStart?: number): Promise<HandlerOutcome>;
  expire(job: JobRequested): Promise<HandlerOutcome>;
}

export interface JobBatcherDeps {
  config: ConveyorConfig;
  router: ModelRouter;
  publisher: MessagePublisher;
  cancellations: CancellationRegistry;
  tombstones: TombstoneRegistry;
  watched: WatchedJobs;
  members: BatchMemberRunner;
}

/** A job in a batch: its message stays unsettled until `settle`, called once its own outcome is confirmed. */
export interface BatchMember {
  job: JobRequested;
  ctx: DeliveryContext;
  plan: BatchPlan;
  cancel: AbortController;
  /** Something is ending the job already (its outcome may still be on its way): nothing else may. */
  claimed: boolean;
  settled: boolean;
  settle(outcome: HandlerOutcome): void;
}

/** A job's place in its batch, as its outcome records it. */
export type BatchOf = (index: number, fallback?: boolean) => JobBatch;

/** Settles the member by what `end` answers, unless something else ends it; a throw (an outcome not confirmed) hands the job back for a retry. */
export async function settleWith(member: BatchMember, end: () => Promise<HandlerOutcome>): Promise<void> {
  if (member.claimed) return;
  member.claimed = true;
  try {
    member.settle(await end());
  } catch (err) {
    member.settle(Outcome.retry((err as Error).message));
  }
}

/** Only a job that never started can expire: a first delivery, not a redelivery or a retry of a started job. */
export function neverStarted(member: BatchMember): boolean {
  return member.ctx.deliveryCount === 1 && member.ctx.delivery.retries === 0;
}

export function attemptOf(member: BatchMember): number {
  return member.ctx.delivery.retries + member.ctx.deliveryCount;
}
