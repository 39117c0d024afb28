import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import type { JobCancelled, JobCompleted, JobExpired, JobFailed, TerminalEvent } from '@conveyor/contracts';
import { BROKER_CLIENT, Exchanges, listenerOf, replyKeyOf, type BrokerClient, type RoutedListener } from '@conveyor/messaging';

/**
 * This gateway replica's reply queue: one exclusive queue bound to its reply key, to which persistence copies the
 * terminal event of every job submitted here with `reply_to` (a CC routing key on the same publish). A caller waiting
 * for its job registers here before the job is published, so no end can pass unseen, and nothing is bound per job.
 */
@Injectable()
export class ReplyInbox implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ReplyInbox.name);
  private readonly waiting = new Map<string, (terminal: TerminalEvent) => void>();
  private listener?: RoutedListener;
  /** The key jobs carry as `reply_to`. */
  readonly key: string;

  constructor(
    @Inject(BROKER_CLIENT) private readonly broker: BrokerClient,
    @Inject(CONVEYOR_CONFIG) config: ConveyorConfig,
  ) {
    this.key = replyKeyOf(config.worker.id);
  }

  async onModuleInit(): Promise<void> {
    const deliver = (terminal: TerminalEvent) => this.waiting.get(terminal.event.job_id)?.(terminal);
    const listener = listenerOf(
      {
        'job.completed': (event: JobCompleted) => deliver({ type: 'job.completed', event }),
        'job.failed': (event: JobFailed) => deliver({ type: 'job.failed', event }),
        'job.cancelled': (event: JobCancelled) => deliver({ type: 'job.cancelled', event }),
        'job.expired': (event: JobExpired) => deliver({ type: 'job.expired', event }),
      },
      this.logger,
      this.broker.kind,
    );
    this.listener = await this.broker.listenRouted(Exchanges.events, listener);
    await this.listener.bind(this.key);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.cancel();
  }

  /** Resolves with the job's terminal event once it arrives here; `release` stops waiting. */
  expect(jobId: string): { ended: Promise<TerminalEvent>; release(): void } {
    let resolve!: (terminal: TerminalEvent) => void;
    const ended = new Promise<TerminalEvent>((r) => (resolve = r));
    this.waiting.set(jobId, resolve);
    return { ended, release: () => this.waiting.get(jobId) === resolve && this.waiting.delete(jobId) };
  }
}
