import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  STATUS_OF_TERMINAL,
  type TerminalEvent,
  type JobCancelled,
  type JobCompleted,
  type JobExpired,
  type JobFailed,
  type JobOutcome,
} from '@conveyor/contracts';
import { JOB_STORE, WriteBatcher, type JobStore } from '@conveyor/database';
import { Outcome, type HandlerOutcome } from '@conveyor/messaging';
import { TerminalEventPublisher } from '@conveyor/webhooks';

/**
 * Writes workers' outcomes and only then announces them: the terminal event every relay follows (streams, waiting
 * callers, webhooks) is published after the row says the job ended, so nobody hears of an end the row does not show.
 * Outcomes that arrive together are committed together (one transaction per batch; see WriteBatcher), and each
 * caller resolves once its own outcome is committed and its announcement confirmed.
 *
 * An outcome that changes nothing is announced again when the row already ended the same way: its first delivery
 * was committed but not announced (a crash in between), and relays and the webhook fan-out are idempotent. One that
 * lost to another end (a job cancelled while its completion was on the way) is not announced.
 */
@Injectable()
export class OutcomeRecorder {
  private readonly logger = new Logger(OutcomeRecorder.name);
  private readonly batches = new WriteBatcher<JobOutcome, HandlerOutcome>((outcomes) => this.recordMany(outcomes), { maxBatch: 256, maxInFlight: 4 });

  constructor(
    @Inject(JOB_STORE) private readonly jobs: JobStore,
    private readonly terminal: TerminalEventPublisher,
  ) {}

  /** Resolves once the outcome is committed and announced; an outcome of a job that has no row is dead-lettered. */
  record(outcome: JobOutcome): Promise<HandlerOutcome> {
    return this.batches.write(outcome);
  }

  private async recordMany(outcomes: readonly JobOutcome[]): Promise<HandlerOutcome[]> {
    const of = <T extends JobOutcome['type']>(type: T) =>
      outcomes.filter((o) => o.type === type).map((o) => o.event) as Array<Extract<JobOutcome, { type: T }>['event']>;
    const changed = await this.jobs.markEndedMany({
      completed: of('job.completed') as JobCompleted[],
      failed: of('job.failed') as JobFailed[],
      cancelled: of('job.cancelled') as JobCancelled[],
      expired: of('job.expired') as JobExpired[],
    });
    const unchanged = outcomes.filter((o) => !changed.has(o.event.job_id)).map((o) => o.event.job_id);
    const statuses = unchanged.length > 0 ? await this.jobs.statusesOf(unchanged) : new Map<string, string>();
    const announced = outcomes.filter((o) => changed.has(o.event.job_id) || statuses.get(o.event.job_id) === STATUS_OF_TERMINAL[o.type]);
    for (const o of outcomes) if (!announced.includes(o)) this.logger.debug(`job ${o.event.job_id}: ${o.type} lost to an earlier end; not announced`);
    // What the row said of its callback URL goes with the event, so the webhook fan-out need not read the row to learn
    // that a job has no webhook (re-announced ends leave it out: the fan-out then reads).
    const withCallback = (o: JobOutcome) => (changed.has(o.event.job_id) ? { ...o.event, has_callback: changed.get(o.event.job_id) } : o.event);
    await Promise.all(announced.map((o) => this.terminal.publish({ type: o.type, event: withCallback(o) } as TerminalEvent, o.reply_to)));
    // A job with no row was never accepted (a submit refused after its message reached the broker): say so in the dead letters.
    return outcomes.map((o) =>
      changed.has(o.event.job_id) || statuses.has(o.event.job_id)
        ? Outcome.ack()
        : Outcome.deadLetter(`job ${o.event.job_id} has no row: it was never accepted`),
    );
  }
}
