import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { isMessageType, parseMessage, type MessagePayload, type MessageType } from '@conveyor/contracts';
import { BROKER_CLIENT, Exchanges, type BrokerClient, type BroadcastMessage, type RoutedListener } from '@conveyor/messaging';
import { JobBindingsRegistry } from './job-bindings.registry';

type JobEventType = Exclude<MessageType, 'job.requested' | 'job.cancel_requested' | 'webhook.delivery'>;
export type JobEvent = { [T in JobEventType]: { type: T; payload: MessagePayload<T> } }[JobEventType];
/**
 * Receives a watched job's events. `assured` is true once this watcher's own binding is in place: from then on
 * every later event of the job is routed here. An event heard before (through another watcher's binding of the
 * same job, which may be on its way out) says nothing about whether the job's end will arrive.
 */
export type JobEventListener = (event: JobEvent, assured: boolean) => void;

const RELAYED: ReadonlySet<string> = new Set(['job.started', 'job.delta', 'job.completed', 'job.failed', 'job.cancelled']);

/**
 * This replica's one routed queue on `conveyor.events`, bound only to the jobs its clients watch, and the
 * fan-out of each job's events to that job's watchers in this process.
 */
@Injectable()
export class JobEventRouter implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(JobEventRouter.name);
  private readonly watchers = new Map<string, Set<(event: JobEvent) => void>>();
  private listener!: RoutedListener;
  private bindings!: JobBindingsRegistry;

  constructor(@Inject(BROKER_CLIENT) private readonly broker: BrokerClient) {}

  async onModuleInit(): Promise<void> {
    this.listener = await this.broker.listenRouted(Exchanges.events, (message) => this.dispatch(message));
    this.bindings = new JobBindingsRegistry(this.listener);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.cancel();
  }

  /** Starts relaying a job's events to `listener`; resolves once the binding is in place. Returns the release. */
  async watch(jobId: string, listener: JobEventListener): Promise<() => Promise<void>> {
    let set = this.watchers.get(jobId);
    if (!set) this.watchers.set(jobId, (set = new Set()));
    let assured = false;
    const relay = (event: JobEvent) => listener(event, assured);
    set.add(relay);
    await this.bindings.acquire(jobId);
    assured = true;
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      set.delete(relay);
      if (set.size === 0 && this.watchers.get(jobId) === set) this.watchers.delete(jobId);
      await this.bindings.release(jobId);
    };
  }

  /** Jobs bound on this replica and how many clients watch each (leak checks). */
  boundJobs(): ReadonlyMap<string, number> {
    return this.bindings.bound();
  }

  private dispatch(message: BroadcastMessage): void {
    const type = message.type;
    if (!isMessageType(type) || !RELAYED.has(type)) return;
    let data: unknown;
    try {
      data = JSON.parse(message.body.toString('utf8'));
    } catch {
      return;
    }
    const parsed = parseMessage(type, data);
    if (!parsed.ok) {
      this.logger.warn(`dropped an invalid ${type}: ${parsed.error}`);
      return;
    }
    const jobId = (parsed.payload as { job_id: string }).job_id;
    const event = { type, payload: parsed.payload } as JobEvent;
    for (const listener of this.watchers.get(jobId) ?? []) listener(event);
  }
}
