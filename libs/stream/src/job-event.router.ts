import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { MessagePayload, MessageType } from '@conveyor/contracts';
import { BROKER_CLIENT, Exchanges, MessagePublisher, listenerOf, type BrokerClient, type ListenerHandlers, type RoutedListener } from '@conveyor/messaging';
import { JobBindingsRegistry } from './job-bindings.registry';

type JobEventType = Exclude<
  MessageType,
  | 'job.requested'
  | 'job.deltas'
  | 'job.outcome'
  | 'job.cancel_requested'
  | 'job.watch'
  | 'webhook.delivery'
  | 'webhook.endpoints_changed'
  | 'access.changed'
  | 'worker.heartbeat'
  | 'tenant.settings_changed'
>;
export type JobEvent = { [T in JobEventType]: { type: T; payload: MessagePayload<T> } }[JobEventType];
/**
 * Receives a watched job's events. `assured` is true once this watcher's own binding is in place: from then on
 * every later event of the job is routed here. An event heard before (through another watcher's binding of the
 * same job, which may be on its way out) says nothing about whether the job's end will arrive.
 */
export type JobEventListener = (event: JobEvent, assured: boolean) => void;

export interface WatchOptions {
  /**
   * Whether the watcher wants the job's text as it is generated (default true); a worker publishes chunks only
   * for jobs someone watches so. A watcher of the end alone (a cancel waiting for the job to stop) says false.
   */
  text?: boolean;
  /**
   * Whether to tell the workers (default true). False for a job this replica is about to submit: the watch is
   * counted before its message is published, which then says `stream` itself.
   */
  announce?: boolean;
}

/**
 * This replica's one routed queue on `conveyor.events`, bound only to the jobs its clients watch, and the
 * fan-out of each job's events to that job's watchers in this process.
 */
@Injectable()
export class JobEventRouter implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(JobEventRouter.name);
  private readonly watchers = new Map<string, Set<(event: JobEvent) => void>>();
  /** Per job, how many of its watchers want its text (and whether the workers were told, so they are re-told). */
  private readonly textWatchers = new Map<string, { count: number; announced: boolean }>();
  private listener!: RoutedListener;
  private bindings!: JobBindingsRegistry;

  constructor(
    @Inject(BROKER_CLIENT) private readonly broker: BrokerClient,
    private readonly publisher: MessagePublisher,
  ) {}

  async onModuleInit(): Promise<void> {
    const relay =
      <T extends JobEventType>(type: T) =>
      (payload: MessagePayload<T>) =>
        this.dispatch({ type, payload } as JobEvent);
    const handlers: ListenerHandlers = {
      'job.started': relay('job.started'),
      'job.delta': relay('job.delta'),
      // Several jobs' chunks in one message (routed here by any job this replica watches): each to its own watchers.
      'job.deltas': ({ chunks }: MessagePayload<'job.deltas'>) => {
        for (const chunk of chunks) this.dispatch({ type: 'job.delta', payload: chunk });
      },
      'job.completed': relay('job.completed'),
      'job.failed': relay('job.failed'),
      'job.cancelled': relay('job.cancelled'),
      'job.expired': relay('job.expired'),
    };
    this.listener = await this.broker.listenRouted(Exchanges.events, listenerOf(handlers, this.logger, this.broker.kind));
    this.bindings = new JobBindingsRegistry(this.listener);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.cancel();
  }

  /** Starts relaying a job's events to `listener`; resolves once the binding is in place. Returns the release. */
  async watch(jobId: string, listener: JobEventListener, { text = true, announce = true }: WatchOptions = {}): Promise<() => Promise<void>> {
    let set = this.watchers.get(jobId);
    if (!set) this.watchers.set(jobId, (set = new Set()));
    let assured = false;
    const relay = (event: JobEvent) => listener(event, assured);
    set.add(relay);
    if (text) this.countTextWatcher(jobId, 1);
    const forget = () => {
      set.delete(relay);
      if (set.size === 0 && this.watchers.get(jobId) === set) this.watchers.delete(jobId);
      if (text) this.countTextWatcher(jobId, -1);
    };
    try {
      await this.bindings.acquire(jobId);
    } catch (err) {
      forget();
      throw err;
    }
    assured = true;
    // Bound first, so the chunks a worker starts publishing on hearing this are routed here.
    if (text && announce) this.announce(jobId);
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      forget();
      await this.bindings.release(jobId);
    };
  }

  /** Whether a client of this replica watches the job's text (a job submitted so says `stream` in its message). */
  watchesText(jobId: string): boolean {
    return this.textWatchers.has(jobId);
  }

  /** Jobs bound on this replica and how many clients watch each (leak checks). */
  boundJobs(): ReadonlyMap<string, number> {
    return this.bindings.bound();
  }

  private dispatch(event: JobEvent): void {
    const jobId = event.payload.job_id;
    // A job that was still queued when its watcher told the workers had no worker to hear it: tell again.
    if (event.type === 'job.started' && this.textWatchers.get(jobId)?.announced) this.announce(jobId);
    for (const listener of this.watchers.get(jobId) ?? []) listener(event);
  }

  private countTextWatcher(jobId: string, delta: 1 | -1): void {
    const entry = this.textWatchers.get(jobId) ?? { count: 0, announced: false };
    entry.count += delta;
    if (entry.count > 0) this.textWatchers.set(jobId, entry);
    else this.textWatchers.delete(jobId);
  }

  /** Asks the workers for the job's chunks: transient, and harmless if the job is not running (or has ended). */
  private announce(jobId: string): void {
    const entry = this.textWatchers.get(jobId);
    if (entry) entry.announced = true;
    this.publisher
      .publish('job.watch', { job_id: jobId })
      .catch((err: Error) => this.logger.warn(`could not announce a watch of job ${jobId}: ${err.message}`));
  }
}
